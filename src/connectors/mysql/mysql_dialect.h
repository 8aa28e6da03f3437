// MySQL's and MariaDB's SQL: backtick quoting, identifiers of at most 64
// characters compared without case for columns, CONCAT(), DDL that commits
// on its own (so the load plans of mysql_load_plan.h swap tables rather than
// roll back), UPDATE and DELETE with JOIN, InnoDB tables in utf8mb4_bin.
#pragma once

#include "connectors/dialect.h"

namespace dvt::mysql {

class MysqlDialect : public Dialect {
 public:
  std::string_view family() const override { return "mysql"; }
  std::string quote(std::string_view identifier) const override;
  std::string literal(std::string_view text) const override;
  size_t max_identifier_bytes() const override { return 64; }
  bool column_names_ignore_case() const override { return true; }
  std::string column_type(const Column& column, const TableSchema& table) const override;
  // Explicit NULL: on old servers a bare TIMESTAMP column is NOT NULL with an
  // automatic default. Key columns are NOT NULL.
  std::string column_definition(const Column& column, const TableSchema& table) const override;
  // FLOAT as its exact DOUBLE, bytes as lowercase hex, BIT as its number,
  // all converted to utf8mb4 so the bytes do not depend on a column's charset.
  std::string text_of(const Column& column) const override;
  std::string concat(const std::vector<std::string>& parts) const override;
  std::string byte_length_text(const std::string& text) const override;
  std::string md5_hex(const std::string& text) const override;
  std::string hash_aggregate(const std::string& hash) const override;
  std::string hex_value(const std::string& hex, int digits) const override;
  // CRC32: 32 bits are enough to spread keys over buckets.
  std::string text_bucket(const std::string& text, uint64_t buckets) const override;
  std::string begin_transaction() const override { return "START TRANSACTION"; }
  bool transactional_ddl() const override { return false; }
  // InnoDB, so a load is one transaction; utf8mb4_bin, so text compares as
  // its exact bytes and a key never refuses 'a' beside 'A'.
  std::string create_table(const std::string& table, const TableSchema& incoming) const override;
  // TRUNCATE commits on its own; DELETE is undone with the transaction.
  std::string truncate(const std::string& table) const override;
  std::string create_staging(const std::string& staging, const std::string& target,
                             const std::vector<std::string>& columns) const override;
  std::string update_from(const std::string& target, const std::string& staging,
                          const std::vector<std::string>& key,
                          const std::vector<std::string>& set_columns) const override;
  std::string delete_matching(const std::string& target, const std::string& staging,
                              const std::vector<std::string>& key) const override;
  std::vector<std::string> create_view(const std::string& view,
                                       const std::string& query) const override;
};

const MysqlDialect& dialect();

}  // namespace dvt::mysql
