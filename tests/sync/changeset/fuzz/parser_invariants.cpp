#include "parser_invariants.hpp"

#include <string_view>

#include "sync/changeset/applier.hpp"
#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/memory_state.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/state_json.hpp"

namespace ros::test {

using namespace ros::sync::changeset;

std::optional<std::string> check_parser_invariants(const uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = parse(input);
  if (!parsed) {
    if (parsed.error().message.rfind("byte ", 0) != 0)
      return "error without an offset: " + parsed.error().message;
    return std::nullopt;
  }
  const Changeset& cs = parsed->changeset;
  const std::string text = dump(to_json(cs));
  for (Layout layout : {Layout::hoisted, Layout::streaming}) {
    auto bytes = encode(cs, layout);
    if (!bytes) return "encode failed: " + bytes.error().message;
    auto again = parse(*bytes);
    if (!again) return "re-encoded bytes do not parse: " + again.error().message;
    if (!cs.instructions.empty() && dump(to_json(again->changeset)) != text) {
      return "re-encoded bytes decode differently";
    }
  }
  auto read = from_json(to_json(cs));
  if (!read) return "the JSON does not read back: " + read.error().message;
  const std::string once = dump(to_json(*read));
  auto read2 = from_json(to_json(*read));
  if (!read2 || dump(to_json(*read2)) != once) return "the JSON is not stable after a round trip";

  MemoryState state;
  auto applied = apply(state, cs);
  if (!applied && applied.error().message.rfind("bad changeset: ", 0) != 0) {
    return "apply failed without a bad changeset error: " + applied.error().message;
  }
  if (!state_to_json(state)) return "the state does not dump";
  return std::nullopt;
}

}  // namespace ros::test
