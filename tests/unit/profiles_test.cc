#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "core/log.h"
#include "project/profiles.h"
#include "support/run_dvt.h"

namespace dvt {
namespace {

using test::TempDir;
using test::write_file;

// Expects `body` to throw ConfigError whose message contains every piece.
template <typename Body>
void expect_config_error(Body body, std::initializer_list<std::string> pieces) {
  try {
    body();
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    for (const auto& piece : pieces)
      EXPECT_NE(std::string(error.what()).find(piece), std::string::npos)
          << "message: " << error.what() << "\nmissing: " << piece;
  }
}

TEST(RenderEnvVars, SubstitutesSetVariable) {
  ::setenv("DVT_T_HOST", "db.example", 1);
  EXPECT_EQ(render_env_vars("host={{ env_var('DVT_T_HOST') }}:5432", "here"),
            "host=db.example:5432");
}

TEST(RenderEnvVars, UsesDefaultOnlyWhenUnset) {
  ::unsetenv("DVT_T_UNSET");
  ::setenv("DVT_T_SET", "real", 1);
  EXPECT_EQ(render_env_vars("{{ env_var('DVT_T_UNSET', 'fallback') }}", "here"), "fallback");
  EXPECT_EQ(render_env_vars("{{env_var(\"DVT_T_SET\", \"fallback\")}}", "here"), "real");
  EXPECT_EQ(render_env_vars("{{ env_var('DVT_T_UNSET', '') }}", "here"), "");
}

TEST(RenderEnvVars, RendersSeveralExpressionsAndKeepsPlainText) {
  ::setenv("DVT_T_A", "1", 1);
  ::setenv("DVT_T_B", "2", 1);
  EXPECT_EQ(render_env_vars("a{{ env_var('DVT_T_A') }}b{{ env_var('DVT_T_B') }}c", "here"),
            "a1b2c");
  EXPECT_EQ(render_env_vars("no templates here", "here"), "no templates here");
}

TEST(RenderEnvVars, MissingVariableWithoutDefaultNamesIt) {
  ::unsetenv("DVT_T_MISSING");
  expect_config_error([] { render_env_vars("{{ env_var('DVT_T_MISSING') }}", "profiles.yml:4"); },
                      {"DVT_T_MISSING", "profiles.yml:4", "not set"});
}

TEST(RenderEnvVars, OtherExpressionsAreRejected) {
  expect_config_error([] { render_env_vars("{{ target.name }}", "f"); },
                      {"unsupported template", "target.name"});
}

TEST(Profiles, LoadsOutputsAndTarget) {
  TempDir dir;
  ::setenv("DVT_T_PATH", "/data/w.duckdb", 1);
  write_file(dir.file("profiles.yml"), R"(proj:
  target: wh
  outputs:
    wh:
      type: duckdb
      path: "{{ env_var('DVT_T_PATH') }}"
    lite:
      type: sqlite
      path: local.db
)");
  Profiles profiles = Profiles::load(dir.path());
  const Profile& profile = profiles.profile("");
  EXPECT_EQ(profile.name, "proj");
  EXPECT_EQ(profile.target, "wh");
  ASSERT_EQ(profile.outputs.size(), 2u);
  EXPECT_EQ(profile.outputs.at("wh").require("path"), "/data/w.duckdb");
  EXPECT_EQ(profile.outputs.at("lite").type(), "sqlite");
}

TEST(Profiles, BadYamlNamesFileAndLine) {
  TempDir dir;
  write_file(dir.file("profiles.yml"), "proj:\n  target: wh\n  outputs:\n    wh: [unclosed\n");
  expect_config_error([&] { Profiles::load(dir.path()); },
                      {dir.file("profiles.yml"), "invalid YAML", ":5:"});
}

TEST(Profiles, UnknownAdapterTypeNamesOutputAndType) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "proj:\n  outputs:\n    wh:\n      type: nosuchdb\n      path: x\n");
  expect_config_error(
      [&] { Profiles::load(dir.path()); },
      {dir.file("profiles.yml") + ":4", "output 'wh'", "unknown adapter type 'nosuchdb'"});
}

TEST(Profiles, MissingRequiredFieldNamesIt) {
  TempDir dir;
  write_file(dir.file("profiles.yml"), "proj:\n  outputs:\n    lite:\n      type: sqlite\n");
  expect_config_error(
      [&] { Profiles::load(dir.path()); },
      {dir.file("profiles.yml") + ":4", "output 'lite'", "missing required field 'path'"});
}

TEST(Profiles, AnOutputWithAnUnsetVariableFailsWhenUsedAndAnUnsetTypeAtOnce) {
  TempDir dir;
  ::unsetenv("DVT_T_NO_PASSWORD");
  ::unsetenv("DVT_T_NO_TYPE");
  write_file(dir.file("profiles.yml"),
             "p:\n  outputs:\n    lite:\n      type: sqlite\n      path: x.db\n"
             "    prod:\n      password: \"{{ env_var('DVT_T_NO_PASSWORD') }}\"\n"
             "      type: postgres\n      host: h\n      user: u\n      dbname: d\n");
  Profiles profiles = Profiles::load(dir.path());
  const Profile& profile = profiles.profile("p");
  profile.outputs.at("lite").require_rendered();
  EXPECT_FALSE(profile.outputs.at("lite").unrendered());
  expect_config_error([&] { profile.outputs.at("prod").require_rendered(); },
                      {"output 'prod', field 'password'", "DVT_T_NO_PASSWORD is not set"});
  // Without its type an output means nothing: that fails the whole file, naming the type.
  write_file(dir.file("profiles.yml"),
             "p:\n  outputs:\n    prod:\n      password: \"{{ env_var('DVT_T_NO_PASSWORD') }}\"\n"
             "      type: \"{{ env_var('DVT_T_NO_TYPE') }}\"\n");
  expect_config_error([&] { Profiles::load(dir.path()); },
                      {"field 'type'", "DVT_T_NO_TYPE is not set"});
}

TEST(Profiles, EitherSpellingSatisfiesAlternatives) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "p:\n  outputs:\n    a:\n      type: postgres\n      host: h\n      user: u\n      "
             "database: d\n"
             "    b:\n      type: postgres\n      host: h\n      user: u\n");
  expect_config_error([&] { Profiles::load(dir.path()); },
                      {"output 'b'", "'dbname' or 'database'"});
}

TEST(Profiles, TargetMustBeAnOutput) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "proj:\n  target: nope\n  outputs:\n    lite:\n      type: sqlite\n      path: x\n");
  expect_config_error([&] { Profiles::load(dir.path()); }, {"targets 'nope'"});
}

TEST(Profiles, SeveralProfilesNeedAChoice) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "a:\n  outputs:\n    o:\n      type: sqlite\n      path: x\nb:\n  outputs:\n    o:\n  "
             "    type: sqlite\n      path: y\n");
  Profiles profiles = Profiles::load(dir.path());
  ::unsetenv("DVT_PROFILE");
  expect_config_error([&] { profiles.profile(""); }, {"several profiles (a, b)", "--profile"});
  EXPECT_EQ(profiles.profile("b").outputs.at("o").require("path"), "y");
  expect_config_error([&] { profiles.profile("c"); }, {"no profile named 'c'"});
}

TEST(Profiles, PasswordsAreRegisteredAsSecrets) {
  TempDir dir;
  write_file(dir.file("profiles.yml"),
             "p:\n  outputs:\n    pg:\n      type: postgres\n      host: h\n      user: u\n      "
             "dbname: d\n"
             "      password: s3cr3t-Value\n");
  Profiles::load(dir.path());
  EXPECT_EQ(Logger::instance().redact("auth failed for s3cr3t-Value!"), "auth failed for ***!");
}

TEST(Profiles, MissingFileSaysWhereItLooked) {
  TempDir dir;
  expect_config_error([&] { Profiles::load(dir.path()); },
                      {dir.file("profiles.yml"), "no profiles.yml"});
}

}  // namespace
}  // namespace dvt
