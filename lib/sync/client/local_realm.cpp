#include "sync/client/local_realm.hpp"

#include <chrono>
#include <utility>
#include <vector>

#include "sync/changeset/applier.hpp"
#include "sync/changeset/encoder.hpp"
#include "sync/changeset/parser.hpp"
#include "sync/changeset/state_json.hpp"
#include "sync/client/merge.hpp"

namespace ros::sync::client {
namespace {

// 2015-01-01T00:00:00Z in Unix milliseconds.
constexpr std::int64_t kOriginEpochMs = 1420070400000;

SyncError violation(std::uint64_t session, std::string message) {
  SyncError e;
  e.kind = SyncError::Kind::protocol_violation;
  e.session_ident = session;
  e.message = std::move(message);
  return e;
}

std::string num(std::uint64_t v) { return std::to_string(v); }

}  // namespace

std::uint64_t origin_timestamp_now() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return ms > kOriginEpochMs ? static_cast<std::uint64_t>(ms - kOriginEpochMs) : 0;
}

LocalRealm::LocalRealm(std::string server_path) : path_(std::move(server_path)) {}

Result<void> LocalRealm::set_ident(std::uint64_t ident, std::int64_t salt) {
  if (has_ident()) {
    return make_error(Errc::conflict, "the client file of '" + path_ + "' already has identifier " +
                                          num(progress_.client_file_ident));
  }
  if (ident == 0 || salt == 0) {
    return make_error(Errc::invalid_argument, "the server issued identifier " + num(ident) +
                                                  " with salt " + std::to_string(salt) +
                                                  " (both must be non-zero)");
  }
  progress_.client_file_ident = ident;
  progress_.client_file_ident_salt = salt;
  ++progress_.client_version;  // realm-core stores the identifier in a commit of its own
  return {};
}

Result<std::uint64_t> LocalRealm::write(const changeset::Changeset& cs) {
  auto bytes = changeset::encode(cs, changeset::Layout::hoisted);
  if (!bytes) return bytes.error();
  return write_bytes(*bytes);
}

Result<std::uint64_t> LocalRealm::write_bytes(std::string_view bytes) {
  auto parsed = changeset::parse(bytes);
  if (!parsed) return parsed.error();
  // local_write: a changeset made for an older state (read before a
  // DOWNLOAD came in) may still apply, but an array update with a stale
  // prior_size would then make every merge with a concurrent change of that
  // list fail, here and on every other client. realm-core's writes always
  // record the size they see; refuse the ones that do not.
  if (auto applied = changeset::apply(state_, parsed->changeset, {.local_write = true}); !applied) {
    return applied.error();
  }
  std::uint64_t version = ++progress_.client_version;
  if (!parsed->changeset.instructions.empty()) {
    std::uint64_t ts = std::max(clock_ ? clock_() : origin_timestamp_now(), last_timestamp_);
    last_timestamp_ = ts;
    history_.push_back(Entry{version, progress_.download.server_version, ts, std::string(bytes),
                             std::move(parsed->changeset), parsed->layout});
  }
  progress_.pending_local = history_.size();
  return version;
}

protocol::Bind LocalRealm::bind_message(std::uint64_t session) const {
  protocol::Bind b;
  b.session_ident = session;
  b.server_path = path_;
  b.need_client_file_ident = !has_ident();
  return b;
}

protocol::ClientIdent LocalRealm::ident_message(std::uint64_t session) const {
  protocol::ClientIdent m;
  m.session_ident = session;
  m.client_file_ident = progress_.client_file_ident;
  m.client_file_ident_salt = progress_.client_file_ident_salt;
  m.scan_server_version = progress_.download.server_version;
  m.scan_client_version = progress_.download.client_version;
  m.latest_server_version = progress_.latest.version;
  m.latest_server_version_salt = progress_.latest.salt;
  return m;
}

void LocalRealm::start_session() {
  scan_ = progress_.upload_ack.client_version;
  reported_server_version_ = progress_.upload_ack.server_version;
  reported_any_ = false;
}

std::optional<protocol::Upload> LocalRealm::next_upload(std::uint64_t session) {
  protocol::Upload up;
  up.session_ident = session;
  up.locked_server_version = progress_.download.server_version;
  std::size_t bytes = 0;
  bool complete = true;
  for (const auto& e : history_) {
    if (e.client_version <= scan_) continue;
    if (!up.changesets.empty() && bytes + e.bytes.size() > kUploadBatchBytes) {
      complete = false;
      break;
    }
    bytes += e.bytes.size();
    up.changesets.push_back({e.client_version, e.base_server_version, e.origin_timestamp, 0, e.bytes});
  }
  if (complete) {
    up.progress_client_version = progress_.client_version;
    up.progress_server_version = progress_.download.server_version;
  } else {
    up.progress_client_version = up.changesets.back().client_version;
    up.progress_server_version = up.changesets.back().last_integrated_server_version;
  }
  if (up.changesets.empty() && up.progress_server_version <= reported_server_version_) {
    return std::nullopt;
  }
  if (up.progress_client_version < scan_) return std::nullopt;  // nothing new since the last report
  scan_ = up.progress_client_version;
  reported_server_version_ = up.progress_server_version;
  reported_any_ = true;
  return up;
}

std::optional<SyncError> LocalRealm::check_download(const protocol::Download& d) const {
  const auto s = d.session_ident;
  const auto& cur = progress_;
  if (d.latest_server_version < cur.latest.version) {
    return violation(s, "DOWNLOAD latest_server_version " + num(d.latest_server_version) +
                            " is below the " + num(cur.latest.version) + " announced before");
  }
  if (d.upload_client_version < cur.upload_ack.client_version ||
      d.upload_client_version > cur.client_version) {
    return violation(s, "DOWNLOAD upload_client_version " + num(d.upload_client_version) +
                            " is outside [" + num(cur.upload_ack.client_version) + ", " +
                            num(cur.client_version) + "]");
  }
  if (d.download_server_version < cur.download.server_version ||
      d.download_server_version > d.latest_server_version) {
    return violation(s, "DOWNLOAD download_server_version " + num(d.download_server_version) +
                            " is outside [" + num(cur.download.server_version) + ", " +
                            num(d.latest_server_version) + "]");
  }
  if (d.download_client_version < cur.download.client_version ||
      d.download_client_version > d.upload_client_version) {
    return violation(s, "DOWNLOAD download_client_version " + num(d.download_client_version) +
                            " is outside [" + num(cur.download.client_version) + ", " +
                            num(d.upload_client_version) + "]");
  }
  if (d.download_server_version < d.upload_server_version) {
    return violation(s, "DOWNLOAD download_server_version " + num(d.download_server_version) +
                            " is below upload_server_version " + num(d.upload_server_version));
  }
  std::uint64_t prev_sv = cur.download.server_version;
  std::uint64_t prev_cv = cur.download.client_version;
  for (std::size_t i = 0; i < d.changesets.size(); ++i) {
    const auto& e = d.changesets[i];
    std::string at = "DOWNLOAD entry " + num(i) + ": ";
    if (e.server_version == 0 || e.server_version <= prev_sv ||
        e.server_version > d.download_server_version) {
      return violation(s, at + "server_version " + num(e.server_version) + " is outside (" +
                              num(prev_sv) + ", " + num(d.download_server_version) + "]");
    }
    if (e.last_integrated_client_version < prev_cv ||
        e.last_integrated_client_version > d.download_client_version) {
      return violation(s, at + "client_version " + num(e.last_integrated_client_version) +
                              " is outside [" + num(prev_cv) + ", " +
                              num(d.download_client_version) + "]");
    }
    if (e.origin_file_ident == 0 || e.origin_file_ident == cur.client_file_ident) {
      return violation(s, at + "origin_file_ident " + num(e.origin_file_ident) +
                              " is 0 or the client's own identifier");
    }
    prev_sv = e.server_version;
    prev_cv = e.last_integrated_client_version;
  }
  return std::nullopt;
}

std::optional<SyncError> LocalRealm::integrate(const protocol::Download& d) {
  if (auto bad = check_download(d)) return bad;
  auto fail = [&](std::string message) {
    SyncError e;
    e.kind = SyncError::Kind::integration;
    e.code = 212;
    e.session_ident = d.session_ident;
    e.message = std::move(message);
    return e;
  };
  const auto& entries = d.changesets;
  std::size_t i = 0;
  while (i < entries.size()) {
    // One group: consecutive entries based on the same local client version.
    std::uint64_t c = entries[i].last_integrated_client_version;
    std::size_t end = i;
    while (end < entries.size() && entries[end].last_integrated_client_version == c) ++end;

    std::vector<MergeItem> incoming;
    for (std::size_t k = i; k < end; ++k) {
      auto parsed = changeset::parse(entries[k].changeset);
      if (!parsed) {
        return fail("changeset of server version " + num(entries[k].server_version) +
                    " does not parse: " + parsed.error().message);
      }
      incoming.push_back({std::move(parsed->changeset), entries[k].origin_timestamp,
                          entries[k].origin_file_ident, parsed->layout});
    }
    std::vector<MergeItem> major;
    std::vector<Entry*> major_entries;
    for (auto& h : history_) {
      if (h.client_version <= c) continue;
      // Moved out and back: a merge must not cost a copy of the history.
      major.push_back({std::move(h.reciprocal), h.origin_timestamp, progress_.client_file_ident, h.layout});
      major_entries.push_back(&h);
    }
    if (!major.empty()) {
      auto merged = merge_incoming(major, incoming);
      for (std::size_t k = 0; k < major.size(); ++k) {
        major_entries[k]->reciprocal = std::move(major[k].changeset);
      }
      if (!merged) {
        return fail("merge with server version " + num(entries[i].server_version) +
                    " failed: " + merged.error().message);
      }
    }
    for (std::size_t k = 0; k < incoming.size(); ++k) {
      if (auto applied = changeset::apply(state_, incoming[k].changeset); !applied) {
        return fail("changeset of server version " + num(entries[i + k].server_version) +
                    " does not apply: " + applied.error().message);
      }
    }
    progress_.downloaded_changesets += incoming.size();
    i = end;
  }
  ++progress_.client_version;  // the commit that integrates this DOWNLOAD
  progress_.download = {d.download_server_version, d.download_client_version};
  progress_.latest = {d.latest_server_version, d.latest_server_version_salt};
  progress_.upload_ack = {d.upload_client_version, d.upload_server_version};
  progress_.downloadable_bytes = d.downloadable_bytes;
  // The server never again sends a changeset based on a version at or below
  // the download cursor's client version, so those entries can go.
  while (!history_.empty() && history_.front().client_version <= d.download_client_version) {
    history_.pop_front();
  }
  progress_.pending_local = history_.size();
  return std::nullopt;
}

std::uint64_t LocalRealm::newest_local_change() const {
  return history_.empty() ? 0 : history_.back().client_version;
}

Result<changeset::Json> LocalRealm::state_json() const { return changeset::state_to_json(state_); }

}  // namespace ros::sync::client
