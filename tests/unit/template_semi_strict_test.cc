// The semi-strict undefined rule (Undefined::kSemiStrict), what dbt projects
// get: a condition treats an undefined operand as false; every other use of
// an undefined value is an error, as in the strict rule.
#include <gtest/gtest.h>

#include <string>

#include "template/environment.h"

namespace dvt::jinja {
namespace {

std::string render(std::string_view source, const Value::Map& context = {}) {
  Environment env({}, Undefined::kSemiStrict);
  env.add_template("m.sql", source);
  return env.render("m.sql", context);
}

std::string error_of(std::string_view source, const Value::Map& context = {}) {
  try {
    render(source, context);
  } catch (const TemplateError& error) {
    return error.what();
  }
  return "no error";
}

const Value::Map kModel = {{"model", Value::map({{"config", Value::map({{"k", "v"}})}})}};

TEST(TemplateSemiStrict, AnUndefinedNameInAnIfIsFalse) {
  EXPECT_EQ(render("{% if nothing %}yes{% else %}no{% endif %}"), "no");
  EXPECT_EQ(render("{% if not nothing %}yes{% endif %}"), "yes");
  EXPECT_EQ(render("{% if not not nothing %}yes{% else %}no{% endif %}"), "no");
}

TEST(TemplateSemiStrict, AMissingKeyInAnIfIsFalse) {
  EXPECT_EQ(render("{% if model.config.missing %}a{% elif model.config.k %}b{% endif %}", kModel),
            "b");
  EXPECT_EQ(render("{% if not model.config.missing %}none{% endif %}", kModel), "none");
}

TEST(TemplateSemiStrict, AndOrAndParenthesesTestEachOperand) {
  EXPECT_EQ(render("{% if nothing or model.config.k == 'v' %}1{% endif %}", kModel), "1");
  EXPECT_EQ(render("{% if (nothing or also_nothing) and 1 %}1{% else %}0{% endif %}"), "0");
  EXPECT_EQ(render("{% if x is defined and x %}1{% else %}0{% endif %}"), "0");
  EXPECT_EQ(render("{% if x is defined and x %}1{% else %}0{% endif %}", {{"x", 3}}), "1");
}

TEST(TemplateSemiStrict, InlineIfAndLoopFilterConditionsAreLenientToo) {
  EXPECT_EQ(render("{{ 'a' if nothing else 'b' }}"), "b");
  EXPECT_EQ(render("{{ 'a' if nothing }}|"), "|");
  EXPECT_EQ(render("{% for x in [1, 2, 3] if x > 1 and not nothing %}{{ x }}{% endfor %}"), "23");
}

TEST(TemplateSemiStrict, ConditionsKeepTheirValuesAndOperators) {
  EXPECT_EQ(render("{% if [1] | length > 0 and 'a' in 'abc' %}1{% endif %}"), "1");
  EXPECT_EQ(render("{% if {'a': 1}.a == 1 %}1{% endif %}"), "1");
  EXPECT_EQ(render("{% if none %}1{% elif 0 %}2{% else %}3{% endif %}"), "3");
}

TEST(TemplateSemiStrict, PrintingAnUndefinedValueIsStillAnError) {
  EXPECT_EQ(error_of("{{ nothing }}"), "m.sql:1: undefined value (at `nothing`)");
}

TEST(TemplateSemiStrict, IteratingAnUndefinedValueIsStillAnError) {
  EXPECT_EQ(error_of("\n{% for x in nothing %}{% endfor %}"),
            "m.sql:2: undefined value (at `nothing`)");
}

TEST(TemplateSemiStrict, AnAttributeOfAnUndefinedValueIsStillAnError) {
  EXPECT_EQ(error_of("{% if nothing.attr %}{% endif %}"),
            "m.sql:1: undefined value (at `nothing.attr`)");
}

TEST(TemplateSemiStrict, TheStrictRuleStillFailsAConditionOnAnUndefinedValue) {
  Environment env;
  env.add_template("m.sql", "{% if nothing %}{% endif %}");
  EXPECT_THROW(env.render("m.sql"), TemplateError);
}

}  // namespace
}  // namespace dvt::jinja
