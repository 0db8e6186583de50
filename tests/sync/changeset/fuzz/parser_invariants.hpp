// What must hold for any input to the changeset parser: shared by the
// libFuzzer target (clang builds) and the corpus test (every build).
//
// Promises: check_parser_invariants never crashes on any input (that is the
// point), and returns a description of the first broken invariant, or
// nullopt. The invariants: parsing fails cleanly or succeeds; a parsed
// changeset renders to JSON, encodes in both layouts, and each encoding parses
// back to the same JSON; the JSON reads back and is stable after one round
// trip; applying it to an empty in-memory state succeeds or fails cleanly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ros::test {

std::optional<std::string> check_parser_invariants(const uint8_t* data, std::size_t size);

}  // namespace ros::test
