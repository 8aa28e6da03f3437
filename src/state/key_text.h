// Row keys as open_row_hashes spells them (`_pk`), turned back into SQL that
// finds those rows in the source.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/dialect.h"

namespace dvt {

// The values of a key of `parts` columns from its `_pk` text: the text
// itself for one column, else the "V<bytes>:<text>" / "N" encoding split
// apart (NULL as nullopt). Throws DataError when `text` is not such an
// encoding of `parts` values.
std::vector<std::optional<std::string>> decode_key_text(std::string_view text, size_t parts);

// A predicate true for exactly the rows of `key` (columns with their source
// types) whose key texts are `texts`, in `dialect`: "k" IN (...) for one
// column, (a = .. AND b = ..) OR ... for more, each value spelled by
// Dialect::value_from_text so the source can use its key's index.
std::string key_predicate(const Dialect& dialect, const std::vector<Column>& key,
                          const std::vector<std::string>& texts);

}  // namespace dvt
