// The pipe tier's text formats: the CSV psql writes (parsed into wire
// vectors) and the COPY text format dvt writes to psql. No server.
#include <gtest/gtest.h>

#include <string>

#include "connectors/postgres/pg_csv_reader.h"
#include "connectors/postgres/pg_pipe_writer.h"
#include "core/error.h"
#include "engine/handles.h"

namespace dvt::pg {
namespace {

std::optional<std::string> text_at(duckdb_vector vector, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return std::nullopt;
  auto* value = &static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector))[row];
  return std::string(duckdb_string_t_data(value), duckdb_string_t_length(*value));
}

using Cells = std::vector<std::vector<std::optional<std::string>>>;

// Parses `csv` (header first) for VARCHAR-wire columns, cutting the input at
// `cut` to check that state carries over between buffers.
Cells parse(const std::string& csv, size_t columns, size_t cut) {
  std::vector<PipeColumn> plans(columns, plan_pipe_column(Type(DUCKDB_TYPE_VARCHAR)));
  std::vector<std::string> names(columns, "c");
  PgCsvDecoder decoder(plans, names, "test", true);
  std::vector<Type> types(columns, Type(DUCKDB_TYPE_VARCHAR));
  DataChunk chunk(types);
  decoder.begin_chunk(chunk.get());
  size_t used = decoder.consume(csv.data(), std::min(cut, csv.size()));
  if (used < csv.size()) decoder.consume(csv.data() + used, csv.size() - used);
  decoder.finish();
  Cells cells;
  for (idx_t row = 0; row < decoder.rows(); ++row) {
    std::vector<std::optional<std::string>> values;
    for (size_t c = 0; c < columns; ++c)
      values.push_back(text_at(duckdb_data_chunk_get_vector(chunk.get(), c), row));
    cells.push_back(values);
  }
  return cells;
}

TEST(PgCsvDecoder, NullAndTheEmptyStringStayDistinctWhereverTheInputIsCut) {
  // COPY ... (FORMAT csv) writes NULL unquoted and '' as "".
  const std::string csv = "a,b\nx,\"\"\n,\"y\"\"z\"\n\"multi\nline, with comma\",\"\\.\"\n";
  Cells expected = {{"x", ""}, {std::nullopt, "y\"z"}, {"multi\nline, with comma", "\\."}};
  for (size_t cut = 0; cut <= csv.size(); ++cut) {
    EXPECT_EQ(parse(csv, 2, cut), expected) << "cut at " << cut;
  }
}

TEST(PgCsvDecoder, ConvertsTheTextFormsDuckDbDoesNotRead) {
  std::vector<PipeColumn> plans = {plan_pipe_column(Type(DUCKDB_TYPE_BLOB)),
                                   plan_pipe_column(Type(DUCKDB_TYPE_DATE)),
                                   plan_pipe_column(Type(DUCKDB_TYPE_TIMESTAMP_TZ)),
                                   plan_pipe_column(Type::list(Type(DUCKDB_TYPE_VARCHAR)))};
  EXPECT_EQ(plans[0].wire, Type(DUCKDB_TYPE_BLOB));
  EXPECT_EQ(plans[1].wire, Type(DUCKDB_TYPE_VARCHAR));
  EXPECT_EQ(plans[3].wire, Type::list(Type(DUCKDB_TYPE_VARCHAR)));
  PgCsvDecoder decoder(plans, {"b", "d", "t", "a"}, "test", false);
  DataChunk chunk({plans[0].wire, plans[1].wire, plans[2].wire, plans[3].wire});
  decoder.begin_chunk(chunk.get());
  // PostgreSQL's array literal, then CSV-quoted as COPY writes it.
  const std::string array = R"({NULL,"NULL","a,b","q\\\"",""})";
  std::string quoted = "\"";
  for (char ch : array) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  quoted += '"';
  std::string csv = "\\x00ff41,0044-03-15 BC,0044-03-15 12:00:00+00 BC," + quoted +
                    "\n\\x,2024-01-01,infinity,{}\n";
  decoder.consume(csv.data(), csv.size());
  decoder.finish();
  ASSERT_EQ(decoder.rows(), 2u);
  duckdb_data_chunk c = chunk.get();
  EXPECT_EQ(text_at(duckdb_data_chunk_get_vector(c, 0), 0), std::string("\0\xff"
                                                                        "A",
                                                                        3));
  EXPECT_EQ(text_at(duckdb_data_chunk_get_vector(c, 0), 1), "");
  EXPECT_EQ(text_at(duckdb_data_chunk_get_vector(c, 1), 0), "0044-03-15 (BC)");
  EXPECT_EQ(text_at(duckdb_data_chunk_get_vector(c, 1), 1), "2024-01-01");
  EXPECT_EQ(text_at(duckdb_data_chunk_get_vector(c, 2), 0), "0044-03-15 (BC) 12:00:00+00");
  EXPECT_EQ(text_at(duckdb_data_chunk_get_vector(c, 2), 1), "infinity");
  duckdb_vector list = duckdb_data_chunk_get_vector(c, 3);
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(list));
  ASSERT_EQ(entries[0].length, 5u);
  EXPECT_EQ(entries[1].length, 0u);
  duckdb_vector child = duckdb_list_vector_get_child(list);
  EXPECT_EQ(text_at(child, 0), std::nullopt);
  EXPECT_EQ(text_at(child, 1), "NULL");
  EXPECT_EQ(text_at(child, 2), "a,b");
  EXPECT_EQ(text_at(child, 3), "q\\\"");
  EXPECT_EQ(text_at(child, 4), "");
}

TEST(PgCsvDecoder, MalformedInputIsADataError) {
  EXPECT_THROW(parse("a\n\"open\n", 1, 100), DataError);  // ends inside a quote
  EXPECT_THROW(parse("a\nx,y\n", 1, 100), DataError);     // one field too many
  EXPECT_THROW(parse("a,b\nx\n", 2, 100), DataError);     // one field too few
  EXPECT_THROW(parse("a\n\"x\"y\n", 1, 100), DataError);  // text after a closing quote
  EXPECT_THROW(parse("a\n\xff\n", 1, 100), DataError);    // not UTF-8
}

TEST(PgTextEncoder, EscapesForCopyTextFormat) {
  std::vector<Type> types = {Type(DUCKDB_TYPE_VARCHAR), Type(DUCKDB_TYPE_BLOB),
                             Type(DUCKDB_TYPE_VARCHAR), Type::list(Type(DUCKDB_TYPE_VARCHAR))};
  DataChunk chunk(types);
  duckdb_data_chunk c = chunk.get();
  duckdb_vector_assign_string_element(duckdb_data_chunk_get_vector(c, 0), 0,
                                      "tab\there\nnl\\bs\r\\.");
  duckdb_vector_assign_string_element_len(duckdb_data_chunk_get_vector(c, 1), 0, "\0\xff", 2);
  duckdb_vector_assign_string_element(duckdb_data_chunk_get_vector(c, 2), 0,
                                      "0044-03-15 (BC) 12:00:00");
  duckdb_vector list = duckdb_data_chunk_get_vector(c, 3);
  duckdb_list_vector_reserve(list, 2);
  duckdb_vector child = duckdb_list_vector_get_child(list);
  duckdb_vector_assign_string_element(child, 0, "a\"b\\c");
  duckdb_vector_ensure_validity_writable(child);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(child), 1);
  duckdb_list_vector_set_size(list, 2);
  static_cast<duckdb_list_entry*>(duckdb_vector_get_data(list))[0] = {0, 2};
  for (idx_t column = 0; column < 4; ++column) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(c, column);
    duckdb_vector_ensure_validity_writable(vector);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), 1);
  }
  duckdb_data_chunk_set_size(c, 2);

  std::vector<TextWritePlan> plans = {
      plan_text_write(types[0], nullptr), plan_text_write(types[1], nullptr),
      plan_text_write(Type(DUCKDB_TYPE_TIMESTAMP), nullptr), plan_text_write(types[3], nullptr)};
  EXPECT_EQ(plans[2].codec, CopyTextCodec::kDateLike);
  EXPECT_EQ(plans[3].codec, CopyTextCodec::kArray);
  PgTextEncoder encoder(plans);
  std::string out;
  encoder.encode(c, out);
  EXPECT_EQ(out,
            "tab\\there\\nnl\\\\bs\\r\\\\.\t\\\\x00ff\t0044-03-15 12:00:00 "
            "BC\t{\"a\\\\\"b\\\\\\\\c\",NULL}\n"
            "\\N\t\\N\t\\N\t\\N\n");
}

}  // namespace
}  // namespace dvt::pg
