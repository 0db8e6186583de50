// "Did you mean ...?" for an unknown configuration key: the known key that is
// the closest plausible intent, or nothing when none is close.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ros::config {

// The known key (field or section, dotted) that `unknown` most probably meant:
// a near spelling of the whole key (e.g. "network.sync.listen_prot"), or a key
// in the same section whose last part is a near spelling or contains it
// ("network.sync.port" -> "network.sync.listen_port"), or the same last part
// under another section ("sync.listen_port" -> "network.sync.listen_port").
std::optional<std::string> suggest_key(std::string_view unknown);

// Levenshtein distance (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace ros::config
