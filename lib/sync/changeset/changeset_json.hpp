// The JSON form of a changeset, exactly as the vectors' README describes it
// ("JSON convention (realm-probe)"), and a reader for the same form.
//
// Promises: to_json() gives keys in the README's order; dumped with two-space
// indentation it is the text realm-probe writes. from_json() accepts what
// to_json() produces and rebuilds the same Changeset (the intern table comes
// from "internStrings"; every string an instruction names must be in it),
// except for what the JSON loses (NaN payload bits, non-canonical input).
// Errors name the instruction index and the key at fault.
#pragma once

#include "common/result.hpp"
#include "sync/changeset/instruction.hpp"
#include "sync/changeset/value_json.hpp"

namespace ros::sync::changeset {

Json to_json(const Changeset& changeset);
Json payload_to_json(const Changeset& changeset, const Payload& payload);
Json primary_key_to_json(const Changeset& changeset, const PrimaryKey& key);

Result<Changeset> from_json(const Json& json);

// The text of a JSON value as the vectors store it: two-space indentation,
// UTF-8 kept, invalid UTF-8 replaced by U+FFFD; no trailing newline.
std::string dump(const Json& json);

}  // namespace ros::sync::changeset
