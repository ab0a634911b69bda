// Per-path decisions of the static handler that need no file system: which paths are hidden,
// which content type a name gets, which Cache-Control a path gets. Built once from the options;
// const afterwards, so that every worker thread may use one instance.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "teapot/handlers/static_files.h"

namespace teapot::handlers::static_files {

// True when a segment of the normalized path starts with '.', other than a first segment
// ".well-known" (RFC 8615 §3 reserves that prefix for metadata meant to be fetched).
bool is_hidden_path(std::string_view path) noexcept;
// The same rule for one directory entry name.
bool is_hidden_name(std::string_view name) noexcept;

// The extension of the last segment without its dot; empty when there is none (no dot, or
// only a leading one as in ".profile").
std::string_view extension_of(std::string_view path) noexcept;

class content_types {
 public:
  content_types(const std::vector<std::pair<std::string, std::string>>& overrides,
                std::string charset);
  // The Content-Type for a file name or path. The view points into this object, the MIME
  // table or scratch (used only when the charset is not the table's utf-8).
  std::string_view for_path(std::string_view path, std::string& scratch) const;

 private:
  std::vector<std::pair<std::string, std::string>> overrides_;  // lower-case extension
  std::string charset_;
};

// Whether a media type is text that should declare its charset: text/*, JavaScript, JSON,
// XML and their +json/+xml relatives.
bool is_textual(std::string_view media_type) noexcept;

// The value of the first rule that matches path, if any.
std::optional<std::string_view> cache_control_for(const std::vector<cache_control_rule>& rules,
                                                  std::string_view path);

}  // namespace teapot::handlers::static_files
