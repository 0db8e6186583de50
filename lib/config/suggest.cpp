#include "config/suggest.hpp"

#include <algorithm>
#include <vector>

#include "config/schema.hpp"

namespace ros::config {
namespace {

std::string_view last_part(std::string_view key) {
  auto dot = key.rfind('.');
  return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

std::string_view parent_of(std::string_view key) {
  auto dot = key.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : key.substr(0, dot);
}

// Every known key: the fields and every section on the way to them.
std::vector<std::string> known_keys() {
  std::vector<std::string> keys;
  auto add = [&](std::string_view key) {
    for (std::string_view k = key; !k.empty(); k = parent_of(k)) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.emplace_back(k);
    }
  };
  for (const auto& f : fields()) add(f.key);
  for (const auto& p : presence_sections()) add(p.key);
  add(kCustomProvidersKey);
  return keys;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
  }
  return out;
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> suggest_key(std::string_view unknown) {
  const std::string wanted = lower(unknown);
  const std::string wanted_leaf(last_part(wanted));
  const std::string_view wanted_parent = parent_of(wanted);

  std::optional<std::string> best;
  std::size_t best_score = static_cast<std::size_t>(-1);
  auto consider = [&](const std::string& key, std::size_t score) {
    if (score < best_score) {
      best = key;
      best_score = score;
    }
  };

  for (const auto& key : known_keys()) {
    const std::string candidate = lower(key);
    const std::string_view leaf = last_part(candidate);
    const std::size_t whole = edit_distance(wanted, candidate);
    // A near spelling of the whole key: about one typo per four characters.
    if (whole <= std::max<std::size_t>(2, wanted_leaf.size() / 4)) consider(key, whole);
    // Same section: a near or partial spelling of the last part.
    if (parent_of(candidate) == wanted_parent && !wanted_leaf.empty()) {
      std::size_t d = edit_distance(wanted_leaf, leaf);
      if (d <= std::max<std::size_t>(2, leaf.size() / 3)) consider(key, d);
      if (wanted_leaf.size() >= 3 && leaf.find(wanted_leaf) != std::string_view::npos) {
        consider(key, 10 + leaf.size() - wanted_leaf.size());
      }
    }
    // The right last part under the wrong section.
    if (leaf == wanted_leaf && candidate.size() > wanted.size() && candidate.ends_with(wanted) &&
        candidate[candidate.size() - wanted.size() - 1] == '.') {
      consider(key, 20 + candidate.size() - wanted.size());
    }
  }
  return best;
}

}  // namespace ros::config
