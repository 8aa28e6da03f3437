// The template corpus (tests/template_corpus/): every template rendered by
// dvt's templating and by Python's Jinja2 (tests/template_oracle.py) gives the
// same bytes, or both fail; the templates that differ are exactly those in
// known_differences.json, each with its reason (docs/templating.md).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "template/environment.h"

namespace dvt::jinja {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const fs::path kCorpus = fs::path(DVT_SOURCE_DIR) / "tests" / "template_corpus";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Value to_value(const Json& json) {
  switch (json.type()) {
    case Json::value_t::null:
      return Value();
    case Json::value_t::boolean:
      return Value(json.get<bool>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return Value(json.get<int64_t>());
    case Json::value_t::number_float:
      return Value(json.get<double>());
    case Json::value_t::string:
      return Value(json.get<std::string>());
    case Json::value_t::array: {
      Value::List list;
      for (const auto& item : json) list.push_back(to_value(item));
      return Value(std::move(list));
    }
    default: {
      Value::Map map;
      for (const auto& [key, item] : json.items()) map.emplace_back(key, to_value(item));
      return Value(std::move(map));
    }
  }
}

struct Outcome {
  bool failed = false;
  std::string text;  // the output, or the error message
};

// Runs the oracle; empty when Jinja2 (or Debian's python3) is not installed.
std::optional<Json> oracle_outcomes() {
  std::string command = "/usr/bin/python3 " +
                        (fs::path(DVT_SOURCE_DIR) / "tests" / "template_oracle.py").string() + " " +
                        kCorpus.string() + " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output;
  char buffer[65536];
  while (size_t got = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, got);
  int status = ::pclose(pipe);
  if (status != 0) return std::nullopt;
  return Json::parse(output);
}

Outcome render_with_dvt(const std::string& stem) {
  Json settings = Json::object();
  fs::path settings_path = kCorpus / (stem + ".json");
  if (fs::exists(settings_path)) settings = Json::parse(read_file(settings_path));
  Json whitespace = settings.value("whitespace", Json::object());
  Environment env(
      Whitespace{.trim_blocks = whitespace.value("trim_blocks", false),
                 .lstrip_blocks = whitespace.value("lstrip_blocks", false),
                 .keep_trailing_newline = whitespace.value("keep_trailing_newline", false)});
  Outcome outcome;
  try {
    for (const auto& entry : fs::directory_iterator(kCorpus / "lib")) {
      env.add_template("lib/" + entry.path().filename().string(), read_file(entry.path()));
    }
    env.add_template(stem + ".jinja", read_file(kCorpus / (stem + ".jinja")));
    Value context = to_value(settings.value("context", Json::object()));
    outcome.text = env.render(stem + ".jinja", context.as_map());
  } catch (const TemplateError& error) {
    outcome.failed = true;
    outcome.text = error.what();
    // Every error names where it happened.
    EXPECT_TRUE(error.has_location() && error.line() > 0) << stem << ": " << error.what();
  }
  return outcome;
}

TEST(TemplateCorpus, HasAtLeastThreeHundredTemplates) {
  int templates = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    if (entry.path().extension() == ".jinja") ++templates;
  }
  EXPECT_GE(templates, 300);
}

TEST(TemplateCorpus, RendersLikeJinja2ExceptTheKnownDifferences) {
  std::optional<Json> oracle = oracle_outcomes();
  if (!oracle) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") {
      FAIL() << "Jinja2 oracle unavailable: /usr/bin/python3 with python3-jinja2 is required "
                "(scripts/install-deps --test)";
    }
    GTEST_SKIP() << "/usr/bin/python3 with python3-jinja2 not installed";
  }
  Json known = Json::parse(read_file(kCorpus / "known_differences.json"));
  int matched = 0, differed = 0;
  for (const auto& [stem, expected] : oracle->items()) {
    Outcome ours = render_with_dvt(stem);
    bool jinja2_failed = expected.contains("error");
    bool same = ours.failed == jinja2_failed &&
                (jinja2_failed || ours.text == expected["output"].get<std::string>());
    if (same) {
      ++matched;
      EXPECT_FALSE(known.contains(stem))
          << stem << " now renders like Jinja2: remove it from known_differences.json";
      continue;
    }
    ++differed;
    EXPECT_TRUE(known.contains(stem))
        << stem << " differs from Jinja2\n  Jinja2: " << expected.dump()
        << "\n  dvt:    " << (ours.failed ? "error " : "output ") << Json(ours.text).dump();
  }
  for (const auto& [stem, reason] : known.items()) {
    EXPECT_TRUE(oracle->contains(stem)) << "known_differences.json names no template " << stem;
  }
  std::printf("template corpus: %d of %d templates render like Jinja2, %d known differences\n",
              matched, matched + differed, differed);
}

}  // namespace
}  // namespace dvt::jinja
