// The changeset parser (changeset.md sections 1 to 11): bytes in, a Changeset
// and the layout its InternString declarations used out.
//
// Promises: accepts exactly what realm-core 14.x's parser accepts (including
// the lenient cases L1-L12 of section 17), except that a Binary length beyond
// the end of the input is "truncated input" instead of an allocation failure.
// Rejections are an Error (code invalid_argument) whose message is
// "byte N: <reason>", N being the offset of the field that failed and
// <reason> realm-core's message without its ". Please contact support.".
// Never reads outside the input; never allocates more than a small multiple
// of the input size (every length is checked against the remaining bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"

namespace ros::sync::changeset {

// A string longer than this (String payloads, interned strings) is rejected.
inline constexpr uint64_t kMaxStringLength = 0xFFFFEF;

struct Parsed {
  Changeset changeset;
  // hoisted when no InternString follows an instruction (so also for a
  // changeset without instructions), streaming otherwise.
  Layout layout = Layout::hoisted;
};

Result<Parsed> parse(std::string_view bytes);

// As parse(), but stops with an Error as
// soon as the changeset holds more than `max_instructions` instructions, so
// that memory stays bounded by the limit (an instruction takes ~250 bytes in
// memory, a hundred times its smallest encoding). The error's code is
// invalid_argument and its message "more than N instructions".
Result<Parsed> parse(std::string_view bytes, std::size_t max_instructions);

}  // namespace ros::sync::changeset
