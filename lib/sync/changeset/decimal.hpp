// Decimal128 text, as realm-core's Decimal128::to_string writes it (the
// vectors' "decimal" values), and the reverse.
//
// Promises: to_string(d) for every bit pattern, and from_string(to_string(d))
// gives back d's bits for every finite value whose exponent field is in range
// (which is every value to_string can print). NaN and infinities come back as
// the canonical NaN/Inf bits with the sign (payload bits are lost, as in the
// JSON). from_string rejects anything that is not such a text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sync/changeset/types.hpp"

namespace ros::sync::changeset {

std::string decimal_to_string(const Decimal128& value);
std::optional<Decimal128> decimal_from_string(std::string_view text);

}  // namespace ros::sync::changeset
