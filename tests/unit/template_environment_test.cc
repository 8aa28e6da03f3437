// The templating layer as dbt's context will use it: C++ functions and host
// objects behind ref(), source(), config(), adapter, var(), return(), and the
// errors templates raise, with their file and line.
#include "template/environment.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"

namespace dvt::jinja {
namespace {

// What ref() returns in dbt: prints as a quoted relation, has its parts as
// attributes.
class FakeRelation : public HostObject {
 public:
  FakeRelation(std::string database, std::string schema, std::string identifier)
      : database_(std::move(database)),
        schema_(std::move(schema)),
        identifier_(std::move(identifier)) {}
  std::optional<Value> attribute(std::string_view name) const override {
    if (name == "database") return Value(database_);
    if (name == "schema") return Value(schema_);
    if (name == "identifier") return Value(identifier_);
    return std::nullopt;
  }
  std::string str() const override { return "\"" + schema_ + "\".\"" + identifier_ + "\""; }

 private:
  std::string database_, schema_, identifier_;
};

// dbt's `adapter`: methods on one object.
class FakeAdapter : public HostObject {
 public:
  Value call_method(std::string_view name, const Arguments& arguments) const override {
    if (name == "quote") return Value("\"" + arguments.positional.at(0).as_string() + "\"");
    return HostObject::call_method(name, arguments);
  }
  std::string str() const override { return "<adapter>"; }
};

// ref('model') and ref('package', 'model').
Value fake_ref(const Arguments& arguments) {
  const std::string& last = arguments.positional.back().as_string();
  std::string schema = arguments.positional.size() == 2 ? arguments.positional[0].as_string()
                                                        : std::string("analytics");
  return Value(std::make_shared<FakeRelation>("warehouse", schema, last));
}

std::string render_source(Environment& env, std::string_view source,
                          const Value::Map& context = {}) {
  env.add_template("model.sql", source);
  return env.render("model.sql", context);
}

TEST(TemplateEnvironment, RefReturnsARelationThatPrintsQuoted) {
  Environment env;
  env.add_function("ref", fake_ref);
  EXPECT_EQ(render_source(env, "select * from {{ ref('orders') }}"),
            "select * from \"analytics\".\"orders\"");
}

TEST(TemplateEnvironment, AFilterFromCppGetsTheValueFirstThenItsArguments) {
  Environment env;
  env.add_filter("repeat", [](const Arguments& arguments) {
    std::string out;
    for (int64_t i = 0; i < arguments.positional.at(1).as_int(); ++i) {
      out += arguments.positional.at(0).as_string();
    }
    if (const Value* end = arguments.keyword("end")) out += end->as_string();
    return Value(out);
  });
  EXPECT_EQ(render_source(env, "{{ 'ab' | repeat(3, end='!') }}"), "ababab!");
}

TEST(TemplateEnvironment, RelationAttributesComeFromCpp) {
  Environment env;
  env.add_function("ref", fake_ref);
  EXPECT_EQ(render_source(env,
                          "{% set r = ref('orders') %}{{ r.database }}|{{ r.schema }}|"
                          "{{ r.identifier }}"),
            "warehouse|analytics|orders");
}

TEST(TemplateEnvironment, TwoArgumentRefPassesBothArguments) {
  Environment env;
  env.add_function("ref", fake_ref);
  EXPECT_EQ(render_source(env, "{{ ref('finance', 'ledger') }}"), "\"finance\".\"ledger\"");
}

TEST(TemplateEnvironment, MissingHostAttributeIsUndefined) {
  Environment env;
  env.add_function("ref", fake_ref);
  EXPECT_EQ(render_source(env, "{{ ref('a').owner is defined }}"), "False");
}

TEST(TemplateEnvironment, HostMethodCallReachesCpp) {
  Environment env;
  env.add_global("adapter", Value(std::make_shared<FakeAdapter>()));
  EXPECT_EQ(render_source(env, "{{ adapter.quote('Order Lines') }}"), "\"Order Lines\"");
}

TEST(TemplateEnvironment, UnknownHostMethodNamesTheMethodAndLine) {
  Environment env;
  env.add_global("adapter", Value(std::make_shared<FakeAdapter>()));
  try {
    render_source(env, "line one\n{{ adapter.dispatch('x') }}");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(std::string(error.what()), "model.sql:2: <adapter> has no method named dispatch");
    EXPECT_EQ(error.reason_kind(), TemplateError::Reason::kUnknown);
  }
}

TEST(TemplateEnvironment, ConfigKeywordArgumentsAreCapturedByCpp) {
  Environment env;
  Value::Map captured;
  env.add_function("config", [&](const Arguments& arguments) {
    captured = arguments.keywords;
    return Value("");
  });
  EXPECT_EQ(
      render_source(env, "{{ config(materialized='table', tags=['a', 'b'], enabled=true) }}x"),
      "x");
  ASSERT_EQ(captured.size(), 3u);
  EXPECT_EQ(captured[0], (std::pair<std::string, Value>("materialized", "table")));
  EXPECT_EQ(captured[1], (std::pair<std::string, Value>("tags", Value::list({"a", "b"}))));
  EXPECT_EQ(captured[2], (std::pair<std::string, Value>("enabled", true)));
}

TEST(TemplateEnvironment, VarFallsBackToItsDefault) {
  Environment env;
  env.add_function("var", [](const Arguments& arguments) {
    const std::string& name = arguments.positional.at(0).as_string();
    if (name == "start_date") return Value("2024-01-01");
    if (const Value* fallback = arguments.get(1, "default")) return *fallback;
    throw TemplateError("Required var '" + name + "' not found in config");
  });
  EXPECT_EQ(
      render_source(env, "{{ var('start_date') }} {{ var('limit', 10) }} {{ var('x', none) }}"),
      "2024-01-01 10 None");
}

TEST(TemplateEnvironment, RaisedCompilerErrorCarriesTemplateAndLine) {
  Environment env;
  env.add_function("raise_compiler_error", [](const Arguments& arguments) -> Value {
    throw TemplateError(arguments.positional.at(0).as_string());
  });
  try {
    render_source(env, "select 1\n\n{{ raise_compiler_error('bad model') }}");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.template_name(), "model.sql");
    EXPECT_EQ(error.line(), 3);
    EXPECT_EQ(error.reason(), "bad model");
    EXPECT_EQ(std::string(error.what()), "model.sql:3: bad model");
    EXPECT_EQ(error.exit_code(), 2);
  }
}

// dbt calls exceptions.raise_compiler_error: a method of a host object.
class FakeExceptions : public HostObject {
 public:
  Value call_method(std::string_view name, const Arguments& arguments) const override {
    if (name == "raise_compiler_error") throw TemplateError(arguments.positional.at(0).as_string());
    return HostObject::call_method(name, arguments);
  }
  std::string str() const override { return "<exceptions>"; }
};

TEST(TemplateEnvironment, RaiseCompilerErrorInsideAMacroPointsAtTheMacroLine) {
  Environment env;
  env.add_global("exceptions", Value(std::make_shared<FakeExceptions>()));
  env.add_template("macros.sql",
                   "{% macro check(x) %}\n"
                   "  {% if x < 0 %}\n"
                   "    {{ exceptions.raise_compiler_error('negative: ' ~ x) }}\n"
                   "  {% endif %}\n"
                   "{% endmacro %}");
  try {
    render_source(env, "{% from 'macros.sql' import check %}\n{{ check(-1) }}");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(std::string(error.what()), "macros.sql:3: negative: -1");
  }
}

TEST(TemplateEnvironment, CallbackExceptionKeepsItsTypeAndMessage) {
  Environment env;
  env.add_function("run_query", [](const Arguments&) -> Value {
    throw ConnectionError("connection refused on pg_dev (127.0.0.1:5432)");
  });
  try {
    render_source(env, "{{ run_query('select 1') }}");
    FAIL() << "no error";
  } catch (const ConnectionError& error) {
    EXPECT_EQ(std::string(error.what()), "connection refused on pg_dev (127.0.0.1:5432)");
  }
}

TEST(TemplateEnvironment, NonDvtCallbackExceptionIsRethrownItself) {
  Environment env;
  env.add_function("boom", [](const Arguments&) -> Value { throw std::out_of_range("index 7"); });
  EXPECT_THROW(render_source(env, "{{ boom() }}"), std::out_of_range);
}

TEST(TemplateEnvironment, HostObjectStringFormFailureStopsTheRender) {
  struct Unprintable : HostObject {
    std::string str() const override { throw DataError("cannot print this relation"); }
  };
  Environment env;
  env.add_global("rel", Value(std::make_shared<Unprintable>()));
  try {
    render_source(env, "{{ rel }}");
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_EQ(std::string(error.what()), "cannot print this relation");
  }
}

TEST(TemplateEnvironment, FailingHostAttributeStopsTheRenderWhereUsed) {
  struct Broken : HostObject {
    std::optional<Value> attribute(std::string_view) const override {
      throw DataError("catalog lookup failed");
    }
    std::string str() const override { return "broken"; }
  };
  Environment env;
  env.add_global("rel", Value(std::make_shared<Broken>()));
  EXPECT_THROW(render_source(env, "{{ rel.columns }}"), DataError);
}

// dbt's return(): a function that throws MacroReturn.
void add_return(Environment& env) {
  env.add_function("return", [](const Arguments& arguments) -> Value {
    throw MacroReturn(arguments.positional.at(0));
  });
}

TEST(TemplateEnvironment, ReturnMakesTheMacroCallEvaluateToAList) {
  Environment env;
  add_return(env);
  env.add_template("macros/cols.sql",
                   "{% macro get_columns() %}ignored text{{ return(['id', 'amount']) }}more"
                   "{% endmacro %}");
  EXPECT_EQ(env.call_macro("macros/cols.sql", "get_columns"), Value::list({"id", "amount"}));
}

TEST(TemplateEnvironment, ReturnThroughDoReturnsADict) {
  Environment env;
  add_return(env);
  env.add_template("m.sql",
                   "{% macro settings(n) %}{% do return({'n': n, 'big': n > 10}) %}{% endmacro %}");
  EXPECT_EQ(env.call_macro("m.sql", "settings", {Value(12)}),
            Value::map({{"n", 12}, {"big", true}}));
}

TEST(TemplateEnvironment, ReturnOfABoolIsABool) {
  Environment env;
  add_return(env);
  env.add_template("m.sql", "{% macro is_big(n) %}{{ return(n > 10) }}{% endmacro %}");
  EXPECT_EQ(env.call_macro("m.sql", "is_big", {Value(3)}), Value(false));
}

TEST(TemplateEnvironment, MacroCalledFromCppThroughAFunctionReturnsItsValueToTheTemplate) {
  // dbt exposes every project macro as a callable that runs it and catches
  // return(): here a C++ function that calls the macro.
  Environment env;
  add_return(env);
  env.add_template("macros/cols.sql",
                   "{% macro get_columns(prefix) %}{{ return([prefix ~ 'id', prefix ~ 'amount']) "
                   "}}{% endmacro %}");
  env.add_function("get_columns", [&env](const Arguments& arguments) {
    return env.call_macro("macros/cols.sql", "get_columns", arguments.positional);
  });
  EXPECT_EQ(render_source(env, "{{ get_columns('o_') | join(', ') }}"), "o_id, o_amount");
}

TEST(TemplateEnvironment, ReturnOutsideAMacroCallIsAnError) {
  Environment env;
  add_return(env);
  try {
    render_source(env, "x\n{{ return(1) }}");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(std::string(error.what()), "model.sql:2: return() used outside of a macro call");
  }
}

TEST(TemplateEnvironment, ProjectMacroOverridingTheDefaultIsCalledFromCpp) {
  Environment env;
  env.add_template("dbt/generate_schema_name.sql",
                   "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
                   "  {{ target.schema }}\n"
                   "{%- endmacro %}");
  env.add_template("project/generate_schema_name.sql",
                   "{% macro generate_schema_name(custom_schema_name, node) %}\n"
                   "  {% if custom_schema_name is none %}{{ target.schema }}"
                   "{% else %}{{ target.schema }}_{{ custom_schema_name | trim }}{% endif %}\n"
                   "{% endmacro %}");
  env.add_global("target", Value::map({{"schema", "analytics"}, {"name", "dev"}}));
  Value node = Value::map({{"name", "orders"}, {"resource_type", "model"}});
  // The C++ caller picks the project's override and trims, as dbt does.
  Value schema = env.call_macro("project/generate_schema_name.sql", "generate_schema_name",
                                {Value("finance"), node});
  EXPECT_EQ(schema, Value("\n  analytics_finance\n"));
  Value fallback =
      env.call_macro("project/generate_schema_name.sql", "generate_schema_name", {Value(), node});
  EXPECT_EQ(fallback, Value("\n  analytics\n"));
}

TEST(TemplateEnvironment, CallMacroPassesKeywordsAndContext) {
  Environment env;
  env.add_template("m.sql",
                   "{% macro greet(name, punct='.') %}{{ greeting }} {{ name }}{{ punct }}"
                   "{% endmacro %}");
  EXPECT_EQ(
      env.call_macro("m.sql", "greet", {Value("dvt")}, {{"punct", "!"}}, {{"greeting", "hello"}}),
      Value("hello dvt!"));
}

TEST(TemplateEnvironment, CallingAMissingMacroNamesIt) {
  Environment env;
  env.add_template("m.sql", "{% macro a() %}{% endmacro %}");
  try {
    env.call_macro("m.sql", "b");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.reason_kind(), TemplateError::Reason::kUnknown);
    EXPECT_NE(std::string(error.what()).find("template m.sql defines no macro named b"),
              std::string::npos)
        << error.what();
  }
}

TEST(TemplateEnvironment, CallerReceivesArgumentsInACallBlock) {
  Environment env;
  EXPECT_EQ(render_source(env,
                          "{% macro each(items) %}{% for i in items %}[{{ caller(i, loop.index) }}]"
                          "{% endfor %}{% endmacro %}"
                          "{% call(item, n) each(['a', 'b']) %}{{ n }}={{ item }}{% endcall %}"),
            "[1=a][2=b]");
}

TEST(TemplateEnvironment, DoStatementCallsAFunctionForItsEffect) {
  Environment env;
  std::vector<std::string> logged;
  env.add_function("log", [&](const Arguments& arguments) {
    logged.push_back(arguments.positional.at(0).as_string());
    return Value("");
  });
  EXPECT_EQ(render_source(env, "a{% do log('compiling') %}b"), "ab");
  EXPECT_EQ(logged, std::vector<std::string>{"compiling"});
}

TEST(TemplateEnvironment, SetBlockCapturesText) {
  Environment env;
  EXPECT_EQ(render_source(env, "{% set sql %}select {{ 1 + 1 }}{% endset %}[{{ sql | upper }}]"),
            "[SELECT 2]");
}

TEST(TemplateEnvironment, LoopVariablesIndexFirstLast) {
  Environment env;
  EXPECT_EQ(
      render_source(env,
                    "{% for c in cols %}{{ loop.index }}{% if loop.first %}^{% endif %}{{ c }}"
                    "{% if not loop.last %}, {% endif %}{% endfor %}",
                    {{"cols", Value::list({"a", "b", "c"})}}),
      "1^a, 2b, 3c");
}

TEST(TemplateEnvironment, WhitespaceControlStripsAroundTags) {
  Environment env;
  EXPECT_EQ(render_source(env, "select\n  {%- for c in ['a', 'b'] %}\n  {{ c }}\n  {%- endfor %}"),
            "select\n  a\n  b");
}

TEST(TemplateEnvironment, TrimAndLstripBlocksWhenAsked) {
  Environment env(Whitespace{.trim_blocks = true, .lstrip_blocks = true});
  EXPECT_EQ(render_source(env, "<\n  {% if true %}\n  x\n  {% endif %}\n>"), "<\n  x\n>");
}

TEST(TemplateEnvironment, DefaultsKeepBlockLinesAndDropOneTrailingNewline) {
  Environment env;
  EXPECT_EQ(render_source(env, "<\n  {% if true %}\n  x\n  {% endif %}\n>\n"), "<\n  \n  x\n  \n>");
}

TEST(TemplateEnvironment, ListAndDictLiteralsAreMutableThroughDo) {
  Environment env;
  EXPECT_EQ(render_source(env,
                          "{% set cols = [] %}{% set opts = {} %}{% for c in ['a', 'b'] %}"
                          "{% do cols.append(c) %}{% do opts.update({c: loop.index}) %}"
                          "{% endfor %}{{ cols }} {{ opts }}"),
            "['a', 'b'] {'a': 1, 'b': 2}");
}

TEST(TemplateEnvironment, ListsFromCppStayImmutable) {
  Environment env;
  try {
    render_source(env, "{% do cols.append('x') %}", {{"cols", Value::list({"a"})}});
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.reason_kind(), TemplateError::Reason::kUnknown);
  }
}

TEST(TemplateEnvironment, InlineIfWithoutElsePrintsNothing) {
  Environment env;
  EXPECT_EQ(render_source(env,
                          "{% for c in ['a', 'b'] %}{{ c }}{{ ', ' if not loop.last }}"
                          "{% endfor %}"),
            "a, b");
}

TEST(TemplateEnvironment, FiltersDbtProjectsUse) {
  Environment env;
  EXPECT_EQ(render_source(env,
                          "{{ cols | map('upper') | join(',') }} {{ none | default('d') }} "
                          "{{ cols | length }} {{ ' x ' | trim }} {{ 'a-b' | replace('-', '_') }} "
                          "{{ [3, 1, 2] | sort | list }} {{ {'b': 1} | tojson }}",
                          {{"cols", Value::list({"a", "b"})}}),
            "A,B None 2 x a_b [1, 2, 3] {\"b\": 1}");
}

TEST(TemplateEnvironment, ContextValuesOfEveryKindReachTheTemplate) {
  Environment env;
  EXPECT_EQ(
      render_source(env, "{{ n + 1 }} {{ f * 2 }} {{ s }} {{ b }} {{ l[1] }} {{ m.k }} {{ z }}",
                    {{"n", 41},
                     {"f", 1.25},
                     {"s", "text"},
                     {"b", true},
                     {"l", Value::list({1, 2})},
                     {"m", Value::map({{"k", "v"}})},
                     {"z", Value()}}),
      "42 2.5 text True 2 v None");
}

TEST(TemplateEnvironment, MapsKeepInsertionOrder) {
  Environment env;
  EXPECT_EQ(render_source(env, "{% for k in m %}{{ k }}{% endfor %}",
                          {{"m", Value::map({{"z", 1}, {"a", 2}, {"m", 3}})}}),
            "zam");
}

TEST(TemplateEnvironment, UndefinedNameIsAnErrorNamingItAndTheLine) {
  Environment env;
  try {
    render_source(env, "select\n  {{ colums }}\nfrom t");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.reason_kind(), TemplateError::Reason::kUndefined);
    EXPECT_EQ(error.line(), 2);
    EXPECT_EQ(std::string(error.what()), "model.sql:2: undefined value (at `colums`)");
  }
}

TEST(TemplateEnvironment, UndefinedAttributeOfUndefinedIsAnError) {
  Environment env;
  EXPECT_THROW(render_source(env, "{{ model.config.materialized }}"), TemplateError);
}

TEST(TemplateEnvironment, UnknownFilterIsAnErrorNamingIt) {
  Environment env;
  try {
    render_source(env, "{{ 'x' | as_sql }}");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.reason_kind(), TemplateError::Reason::kUnknown);
    EXPECT_NE(std::string(error.what()).find("as_sql"), std::string::npos) << error.what();
  }
}

TEST(TemplateEnvironment, SyntaxErrorIsReportedWhenTheTemplateIsAdded) {
  Environment env;
  try {
    env.add_template("broken.sql", "select\n  {{ 1 + }}\nfrom t");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.reason_kind(), TemplateError::Reason::kSyntax);
    EXPECT_EQ(error.template_name(), "broken.sql");
    EXPECT_EQ(error.line(), 2);
    EXPECT_EQ(std::string(error.what()),
              "broken.sql:2: syntax error: unexpected end of variable block (at `}}`)");
  }
}

TEST(TemplateEnvironment, ErrorInsideAnIncludedTemplatePointsThere) {
  Environment env;
  env.add_template("part.sql", "ok\nok\n{{ missing_name }}");
  try {
    render_source(env, "{% include 'part.sql' %}");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.template_name(), "part.sql");
    EXPECT_EQ(error.line(), 3);
  }
}

TEST(TemplateEnvironment, RenderingAMissingTemplateIsUnknown) {
  Environment env;
  try {
    env.render("nope.sql");
    FAIL() << "no error";
  } catch (const TemplateError& error) {
    EXPECT_EQ(error.reason_kind(), TemplateError::Reason::kUnknown);
  }
}

TEST(TemplateEnvironment, HostObjectsAreReleasedWithTheEnvironment) {
  auto relation = std::make_shared<FakeRelation>("d", "s", "t");
  {
    Environment env;
    env.add_global("rel", Value(relation));
    EXPECT_EQ(render_source(env, "{{ rel }}", {{"again", Value(relation)}}), "\"s\".\"t\"");
    EXPECT_EQ(relation.use_count(), 2);  // ours and the global's
  }
  EXPECT_EQ(relation.use_count(), 1);
}

TEST(TemplateEnvironment, HostObjectReturnedByAMacroIsTheSameObject) {
  Environment env;
  add_return(env);
  auto relation = std::make_shared<FakeRelation>("d", "s", "t");
  env.add_template("m.sql", "{% macro pick(r) %}{{ return(r) }}{% endmacro %}");
  Value picked = env.call_macro("m.sql", "pick", {Value(relation)});
  EXPECT_EQ(picked.as_host().get(), relation.get());
}

TEST(TemplateEnvironment, FourThreadsRenderOneEnvironmentAtOnce) {
  Environment env;
  std::atomic<int> ref_calls{0};
  env.add_function("ref", [&](const Arguments& arguments) {
    ref_calls.fetch_add(1);
    return fake_ref(arguments);
  });
  env.add_template("model.sql",
                   "{% for i in range(n) %}{{ ref('t' ~ i) }}{% if not loop.last %},"
                   "{% endif %}{% endfor %}");
  std::vector<std::string> outputs(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        outputs[t] = env.render("model.sql", {{"n", 3 + t}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(outputs[0], "\"analytics\".\"t0\",\"analytics\".\"t1\",\"analytics\".\"t2\"");
  EXPECT_EQ(outputs[3].size(), 6 * std::string("\"analytics\".\"t0\"").size() + 5);
  EXPECT_EQ(ref_calls.load(), 50 * (3 + 4 + 5 + 6));
}

TEST(TemplateEnvironment, CallbackErrorsOnOneThreadDoNotLeakIntoAnother) {
  Environment env;
  env.add_function("fail_if", [](const Arguments& arguments) -> Value {
    if (arguments.positional.at(0).as_bool()) throw DataError("failed on purpose");
    return Value("ok");
  });
  env.add_template("model.sql", "{{ fail_if(bad) }}");
  std::atomic<int> failures{0}, successes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        try {
          if (env.render("model.sql", {{"bad", t % 2 == 0}}) == "ok") successes.fetch_add(1);
        } catch (const DataError&) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 100);
  EXPECT_EQ(successes.load(), 100);
}

}  // namespace
}  // namespace dvt::jinja
