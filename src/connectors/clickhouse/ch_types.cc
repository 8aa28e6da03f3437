#include "connectors/clickhouse/ch_types.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "core/error.h"
#include "core/utf8.h"

namespace dvt::ch {
namespace {

// Recursive descent over the server's spelling of a type. ClickHouse prints
// string arguments (Enum labels, time zones) single-quoted with backslash
// escapes.
class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  ChType parse_all() {
    ChType type = parse();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the type");
    return type;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw DataError(
        fmt::format("cannot parse the ClickHouse type '{}' at offset {}: {}", text_, pos_, what));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }
  std::string identifier() {
    skip_space();
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    if (start == pos_) fail("expected a type name");
    return std::string(text_.substr(start, pos_ - start));
  }
  int64_t integer() {
    skip_space();
    size_t start = pos_;
    if (pos_ < text_.size() && (text_[pos_] == '-' || text_[pos_] == '+')) ++pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    int64_t value = 0;
    const char* first = text_.data() + start + (text_[start] == '+' ? 1 : 0);
    auto [end, error] = std::from_chars(first, text_.data() + pos_, value);
    if (error != std::errc() || end != text_.data() + pos_) fail("expected an integer");
    return value;
  }
  std::string quoted() {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '\'') fail("expected a quoted string");
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      char c = text_[pos_++];
      if (c == '\'') {
        // SQL-style doubled quote.
        if (pos_ < text_.size() && text_[pos_] == '\'') {
          out += '\'';
          ++pos_;
          continue;
        }
        return out;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case 'x': {
          if (pos_ + 2 > text_.size()) fail("bad \\x escape");
          unsigned value = 0;
          auto [end, error] =
              std::from_chars(text_.data() + pos_, text_.data() + pos_ + 2, value, 16);
          if (error != std::errc() || end != text_.data() + pos_ + 2) fail("bad \\x escape");
          out += static_cast<char>(value);
          pos_ += 2;
          break;
        }
        default:
          out += escaped_char(e);
      }
    }
  }
  // Skips balanced arguments of a type dvt does not decode.
  void skip_arguments() {
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\'') {
        quoted();
        continue;
      }
      if (c == '`') {
        ++pos_;
        while (pos_ < text_.size() && text_[pos_] != '`') pos_ += text_[pos_] == '\\' ? 2 : 1;
        ++pos_;
        continue;
      }
      ++pos_;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) return;
    }
    fail("unbalanced parentheses");
  }

  ChType wrapper(ChKind kind) {
    ChType type;
    type.kind = kind;
    expect('(');
    type.children.push_back(parse());
    expect(')');
    return type;
  }

  ChType parse() {
    skip_space();
    size_t start = pos_;
    std::string name = identifier();
    ChType type;
    static const std::pair<const char*, ChKind> kSimple[] = {
        {"Int8", ChKind::kInt8},       {"Int16", ChKind::kInt16},     {"Int32", ChKind::kInt32},
        {"Int64", ChKind::kInt64},     {"UInt8", ChKind::kUInt8},     {"UInt16", ChKind::kUInt16},
        {"UInt32", ChKind::kUInt32},   {"UInt64", ChKind::kUInt64},   {"Float32", ChKind::kFloat32},
        {"Float64", ChKind::kFloat64}, {"Bool", ChKind::kBool},       {"Boolean", ChKind::kBool},
        {"String", ChKind::kString},   {"Date", ChKind::kDate},       {"Date32", ChKind::kDate32},
        {"UUID", ChKind::kUuid},       {"Nothing", ChKind::kNothing},
    };
    bool simple = false;
    for (const auto& [simple_name, kind] : kSimple) {
      if (name == simple_name) {
        type.kind = kind;
        simple = true;
      }
    }
    if (simple) {
      // A simple name followed by arguments is a type dvt does not know.
      if (peek('(')) {
        type = ChType{};
        skip_arguments();
      }
    } else if (name == "Nullable") {
      type = wrapper(ChKind::kNullable);
    } else if (name == "LowCardinality") {
      type = wrapper(ChKind::kLowCardinality);
    } else if (name == "Array") {
      type = wrapper(ChKind::kArray);
    } else if (name == "FixedString") {
      type.kind = ChKind::kFixedString;
      expect('(');
      int64_t length = integer();
      if (length <= 0 || length > (int64_t{1} << 30)) fail("bad FixedString length");
      type.length = static_cast<uint32_t>(length);
      expect(')');
    } else if (name == "Decimal" || name == "Decimal32" || name == "Decimal64" ||
               name == "Decimal128" || name == "Decimal256") {
      expect('(');
      int64_t first = integer();
      int64_t precision = 0, scale = 0;
      if (name == "Decimal") {
        precision = first;
        if (peek(',')) {
          expect(',');
          scale = integer();
        }
      } else {
        scale = first;
        precision = name == "Decimal32"    ? 9
                    : name == "Decimal64"  ? 18
                    : name == "Decimal128" ? 38
                                           : 76;
      }
      expect(')');
      if (precision < 1 || precision > 76 || scale < 0 || scale > precision)
        fail("bad Decimal precision or scale");
      type.precision = static_cast<int>(precision);
      type.scale = static_cast<int>(scale);
      // Decimal256 (P > 38) has no exact DuckDB DECIMAL: it travels as text.
      type.kind = precision <= 38 ? ChKind::kDecimal : ChKind::kOther;
    } else if (name == "DateTime") {
      type.kind = ChKind::kDateTime;
      if (peek('(')) {
        expect('(');
        type.has_timezone = true;
        type.timezone = quoted();
        expect(')');
      }
    } else if (name == "DateTime64") {
      type.kind = ChKind::kDateTime64;
      expect('(');
      int64_t precision = integer();
      if (precision < 0 || precision > 9) fail("bad DateTime64 precision");
      type.precision = static_cast<int>(precision);
      if (peek(',')) {
        expect(',');
        type.has_timezone = true;
        type.timezone = quoted();
      }
      expect(')');
    } else if (name == "Enum8" || name == "Enum16") {
      type.kind = name == "Enum8" ? ChKind::kEnum8 : ChKind::kEnum16;
      expect('(');
      while (true) {
        std::string label = quoted();
        expect('=');
        int64_t code = integer();
        int64_t low = type.kind == ChKind::kEnum8 ? -128 : -32768;
        int64_t high = type.kind == ChKind::kEnum8 ? 127 : 32767;
        if (code < low || code > high) fail("Enum value out of range");
        type.enum_values.emplace_back(std::move(label), static_cast<int16_t>(code));
        if (!peek(',')) break;
        expect(',');
      }
      expect(')');
      if (type.enum_values.empty()) fail("an Enum without values");
    } else {
      type.kind = ChKind::kOther;
      if (peek('(')) skip_arguments();
    }
    type.spelling = std::string(text_.substr(start, pos_ - start));
    return type;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

Type simple_duck(ChKind kind) {
  switch (kind) {
    case ChKind::kInt8:
      return Type(DUCKDB_TYPE_TINYINT);
    case ChKind::kInt16:
      return Type(DUCKDB_TYPE_SMALLINT);
    case ChKind::kInt32:
      return Type(DUCKDB_TYPE_INTEGER);
    case ChKind::kInt64:
      return Type(DUCKDB_TYPE_BIGINT);
    case ChKind::kUInt8:
      return Type(DUCKDB_TYPE_UTINYINT);
    case ChKind::kUInt16:
      return Type(DUCKDB_TYPE_USMALLINT);
    case ChKind::kUInt32:
      return Type(DUCKDB_TYPE_UINTEGER);
    case ChKind::kUInt64:
      return Type(DUCKDB_TYPE_UBIGINT);
    case ChKind::kFloat32:
      return Type(DUCKDB_TYPE_FLOAT);
    case ChKind::kFloat64:
      return Type(DUCKDB_TYPE_DOUBLE);
    case ChKind::kBool:
      return Type(DUCKDB_TYPE_BOOLEAN);
    case ChKind::kDate:
    case ChKind::kDate32:
      return Type(DUCKDB_TYPE_DATE);
    case ChKind::kUuid:
      return Type(DUCKDB_TYPE_UUID);
    default:
      return Type(DUCKDB_TYPE_VARCHAR);
  }
}

ChType string_type(bool nullable) {
  ChType text;
  text.kind = ChKind::kString;
  text.spelling = "String";
  if (!nullable) return text;
  ChType wrapped;
  wrapped.kind = ChKind::kNullable;
  wrapped.spelling = "Nullable(String)";
  wrapped.children.push_back(std::move(text));
  return wrapped;
}

}  // namespace

const ChType& ChType::value_type() const {
  const ChType* type = this;
  while (type->kind == ChKind::kNullable || type->kind == ChKind::kLowCardinality)
    type = &type->children[0];
  return *type;
}

ChType parse_type(std::string_view spelling) {
  return TypeParser(spelling).parse_all();
}

bool is_readable_in_binary(const ChType& type) {
  if (type.kind == ChKind::kOther) return false;
  // Beyond microseconds DuckDB has no time-zone-aware type: text.
  if (type.kind == ChKind::kDateTime64 && type.precision > 6) return false;
  for (const auto& child : type.children) {
    if (!is_readable_in_binary(child)) return false;
  }
  return true;
}

Type duck_type(const ChType& type, const ReadOptions& options) {
  const ChType& value = type.value_type();
  switch (value.kind) {
    case ChKind::kDecimal:
      return Type::decimal(static_cast<uint8_t>(value.precision),
                           static_cast<uint8_t>(value.scale));
    case ChKind::kString:
    case ChKind::kFixedString:
      return Type(options.strings == StringRule::kBlob ? DUCKDB_TYPE_BLOB : DUCKDB_TYPE_VARCHAR);
    case ChKind::kDateTime:
    case ChKind::kDateTime64:
      return Type(value.has_timezone || !options.server_utc ? DUCKDB_TYPE_TIMESTAMP_TZ
                                                            : DUCKDB_TYPE_TIMESTAMP);
    case ChKind::kEnum8:
    case ChKind::kEnum16: {
      // Dictionary in code order, so DuckDB orders values as ClickHouse does.
      auto values = value.enum_values;
      std::stable_sort(values.begin(), values.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
      std::vector<std::string> labels;
      for (auto& [label, code] : values) {
        if (!is_valid_utf8(label.data(), label.size())) {
          throw DataError(fmt::format("the ClickHouse type {} has a label that is not valid UTF-8",
                                      value.spelling));
        }
        labels.push_back(std::move(label));
      }
      return Type::enumeration(std::move(labels));
    }
    case ChKind::kArray:
      return Type::list(duck_type(value.children[0], options));
    default:
      return simple_duck(value.kind);
  }
}

ReadPlan plan_read(const ChType& type, const ReadOptions& options) {
  ReadPlan plan;
  plan.nullable = type.nullable() || (type.kind == ChKind::kLowCardinality &&
                                      type.children[0].kind == ChKind::kNullable);
  if (!is_readable_in_binary(type)) {
    plan.as_text = true;
    plan.wire = string_type(plan.nullable);
    plan.type = Type(DUCKDB_TYPE_VARCHAR);
    return plan;
  }
  plan.wire = type;
  plan.type = duck_type(type, options);
  return plan;
}

std::string ddl_type(const Type& type, bool nullable, const DdlOptions& options) {
  std::string base;
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      base = options.has_bool ? "Bool" : "UInt8";
      break;
    case DUCKDB_TYPE_TINYINT:
      base = "Int8";
      break;
    case DUCKDB_TYPE_SMALLINT:
      base = "Int16";
      break;
    case DUCKDB_TYPE_INTEGER:
      base = "Int32";
      break;
    case DUCKDB_TYPE_BIGINT:
      base = "Int64";
      break;
    case DUCKDB_TYPE_UTINYINT:
      base = "UInt8";
      break;
    case DUCKDB_TYPE_USMALLINT:
      base = "UInt16";
      break;
    case DUCKDB_TYPE_UINTEGER:
      base = "UInt32";
      break;
    case DUCKDB_TYPE_UBIGINT:
      base = "UInt64";
      break;
    case DUCKDB_TYPE_HUGEINT:
      base = options.has_int128 ? "Int128" : "Decimal(38, 0)";
      break;
    case DUCKDB_TYPE_UHUGEINT:
      base = options.has_int128 ? "UInt128" : "Decimal(38, 0)";
      break;
    case DUCKDB_TYPE_FLOAT:
      base = "Float32";
      break;
    case DUCKDB_TYPE_DOUBLE:
      base = "Float64";
      break;
    case DUCKDB_TYPE_DECIMAL:
      base = fmt::format("Decimal({}, {})", type.width, type.scale);
      break;
    case DUCKDB_TYPE_DATE:
      base = options.has_date32 ? "Date32" : "Date";
      break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS: {
      // A plain timestamp keeps its wall clock: on a server outside UTC it is
      // declared in UTC so ClickHouse shows the same digits.
      const char* zone = options.server_utc ? "" : "'UTC'";
      if (options.has_datetime64 && type.id != DUCKDB_TYPE_TIMESTAMP_S) {
        base = fmt::format("DateTime64(6{}{})", *zone ? ", " : "", zone);
      } else {
        base = *zone ? fmt::format("DateTime({})", zone) : "DateTime";
      }
      break;
    }
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      base = options.has_datetime64 ? "DateTime64(6, 'UTC')" : "DateTime('UTC')";
      break;
    case DUCKDB_TYPE_UUID:
      base = "UUID";
      break;
    case DUCKDB_TYPE_ENUM: {
      if (type.names.size() > 32767) {
        base = "String";
        break;
      }
      bool small = type.names.size() <= 127;
      std::string values;
      for (size_t i = 0; i < type.names.size(); ++i) {
        values += fmt::format("{}{} = {}", i ? ", " : "", quote_literal(type.names[i]), i + 1);
      }
      base = fmt::format("{}({})", small ? "Enum8" : "Enum16", values);
      break;
    }
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
      // ClickHouse has no Nullable(Array): a NULL list fails when loaded.
      return fmt::format("Array({})", ddl_type(type.children.at(0), true, options));
    default:
      // VARCHAR, BLOB, JSON; and TIME, INTERVAL, STRUCT, MAP, ... as DuckDB's text.
      base = "String";
  }
  return nullable ? "Nullable(" + base + ")" : base;
}

Type wire_type(const ChType& target, const Type& incoming) {
  const ChType& value = target.value_type();
  switch (value.kind) {
    case ChKind::kDecimal:
      return Type::decimal(static_cast<uint8_t>(value.precision),
                           static_cast<uint8_t>(value.scale));
    case ChKind::kString:
    case ChKind::kFixedString:
      return Type(incoming.id == DUCKDB_TYPE_BLOB ? DUCKDB_TYPE_BLOB : DUCKDB_TYPE_VARCHAR);
    case ChKind::kDateTime:
    case ChKind::kDateTime64:
      return Type(incoming.id == DUCKDB_TYPE_TIMESTAMP_TZ ? DUCKDB_TYPE_TIMESTAMP_TZ
                                                          : DUCKDB_TYPE_TIMESTAMP);
    case ChKind::kEnum8:
    case ChKind::kEnum16:
      return Type(DUCKDB_TYPE_VARCHAR);
    case ChKind::kArray: {
      Type element_in = (incoming.id == DUCKDB_TYPE_LIST || incoming.id == DUCKDB_TYPE_ARRAY)
                            ? incoming.children.at(0)
                            : Type(DUCKDB_TYPE_VARCHAR);
      return Type::list(wire_type(value.children[0], element_in));
    }
    case ChKind::kNothing:
    case ChKind::kOther:
    case ChKind::kNullable:
    case ChKind::kLowCardinality:
      throw ConfigError(fmt::format("dvt cannot load values into a ClickHouse column of type {}",
                                    target.spelling));
    default:
      return simple_duck(value.kind);
  }
}

char escaped_char(char e) {
  switch (e) {
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'r':
      return '\r';
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case '0':
      return '\0';
    case 'a':
      return '\a';
    case 'v':
      return '\v';
    default:
      return e;
  }
}

std::string quote_identifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  return out + "`";
}

std::string quote_literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace dvt::ch
