#include "h2/preface.h"

namespace teapot::h2 {

preface_match match_preface(std::string_view first_bytes) noexcept {
  if (first_bytes.size() >= client_preface.size()) {
    return first_bytes.starts_with(client_preface) ? preface_match::yes : preface_match::no;
  }
  return client_preface.starts_with(first_bytes) ? preface_match::need_more : preface_match::no;
}

}  // namespace teapot::h2
