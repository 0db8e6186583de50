#include "sync/server/server_realm.hpp"

#include <algorithm>
#include <future>

#include <boost/asio/post.hpp>

#include "log/logger.hpp"
#include "sync/protocol/json_bodies.hpp"
#include "sync/server/download_builder.hpp"

namespace ros::sync::server {

using protocol::ProtocolError;

struct ServerRealm::Session {
  SessionKey key;
  SessionAccess access;
  SessionCursors cursors;
  std::optional<std::uint64_t> mark_pending;
  bool download_sent = false;
  // False from building a DOWNLOAD until the connection wrote it: one
  // DOWNLOAD per session on its way at most.
  bool may_send = true;
};

ServerRealm::ServerRealm(boost::asio::any_io_executor storage_executor, Options options)
    : options_(std::move(options)), strand_(boost::asio::make_strand(storage_executor)) {}

ServerRealm::~ServerRealm() {
  if (store_ && options_.stats) --options_.stats->realms_open;
}

template <class F>
void ServerRealm::on_strand(F f) {
  boost::asio::post(strand_, [self = shared_from_this(), f = std::move(f)]() mutable {
    // Nothing a client sends may end the daemon: an allocation that fails
    // (a huge upload, a huge DOWNLOAD) fails this step only. The steps that
    // must answer sessions catch it themselves (integrate_pending).
    try {
      f();
    } catch (const std::bad_alloc&) {
      log::error("out of memory in the Realm '", self->options_.path, "'");
    } catch (const std::exception& e) {
      log::error("unexpected failure in the Realm '", self->options_.path, "': ", e.what());
    }
  });
}

Result<void> ServerRealm::ensure_store() {
  if (shut_) {
    return make_error(Errc::unavailable, "the Realm '" + options_.path + "' was removed");
  }
  if (store_) return {};
  auto opened = store::RealmStore::open(options_.file);
  if (!opened) {
    log::error("cannot open the Realm '", options_.path, "': ", opened.error().message);
    return opened.error();
  }
  store_ = std::move(*opened);
  store_->set_limits(options_.store_limits);
  if (options_.stats) ++options_.stats->realms_open;
  return {};
}

ServerRealm::Session* ServerRealm::find(const SessionKey& key) {
  for (auto& s : sessions_) {
    if (s->key.same(key)) return s.get();
  }
  return nullptr;
}

void ServerRealm::remove_session(const SessionKey& key) {
  auto it = std::find_if(sessions_.begin(), sessions_.end(),
                         [&](const auto& s) { return s->key.same(key); });
  if (it == sessions_.end()) return;
  sessions_.erase(it);
  --session_count_;
  if (options_.stats) --options_.stats->sessions;
  if (sessions_.empty()) idle_since_ = std::chrono::steady_clock::now();
}

void ServerRealm::fail(const SessionKey& key, ProtocolError code, std::string message,
                       bool try_again) {
  remove_session(key);
  if (auto sink = key.sink.lock()) {
    sink->fail_session(key.session_ident, key.binding, code, std::move(message), try_again);
  }
}

namespace {

ProtocolError store_error_code(const Error& error) {
  if (auto code = store::sync_error(error)) {
    return static_cast<ProtocolError>(static_cast<std::int64_t>(*code));
  }
  return ProtocolError::other_session_error;
}

// Storage trouble (busy, I/O, disk full) is worth a retry; a refusal is not.
bool retryable(const Error& error) {
  return !store::sync_error(error).has_value();
}

}  // namespace

void ServerRealm::allocate_ident(SessionKey key) {
  on_strand([this, key = std::move(key)] {
    if (auto ok = ensure_store(); !ok) {
      fail(key, ProtocolError::other_session_error, ok.error().message, true);
      return;
    }
    auto file = store_->allocate_client_file();
    if (!file) {
      fail(key, store_error_code(file.error()), file.error().message, retryable(file.error()));
      return;
    }
    if (auto sink = key.sink.lock()) {
      sink->deliver(key.session_ident, key.binding,
                    protocol::ServerIdent{key.session_ident, file->ident,
                                          static_cast<std::int64_t>(file->salt)});
    }
  });
}

void ServerRealm::ident(SessionKey key, protocol::ClientIdent ident, SessionAccess access,
                        bool may_send) {
  on_strand([this, key = std::move(key), ident, access = std::move(access), may_send]() mutable {
    if (auto ok = ensure_store(); !ok) {
      fail(key, ProtocolError::other_session_error, ok.error().message, true);
      return;
    }
    // Uploads of this file accepted on an earlier connection count for the
    // threshold (4.8): integrate them before reading the record.
    flush_pending_of(ident.client_file_ident);

    auto record = store_->check_ident(SessionCursors::ident_request(ident));
    if (!record) {
      fail(key, store_error_code(record.error()), record.error().message,
           retryable(record.error()));
      return;
    }
    if (record->expired) {
      fail(key, ProtocolError::client_file_expired,
           "client file " + std::to_string(record->ident) + " has expired", false);
      return;
    }

    // The same file bound on another connection: that one is a leftover.
    std::vector<SessionKey> zombies;
    for (const auto& s : sessions_) {
      if (s->cursors.file_ident == ident.client_file_ident && s->key.connection != key.connection) {
        zombies.push_back(s->key);
      }
    }
    for (const auto& z : zombies) {
      remove_session(z);
      if (auto sink = z.sink.lock()) {
        log::info("client file ", ident.client_file_ident, " of '", options_.path,
                  "' bound again from ", sink->peer(), ": closing the old connection");
        sink->close_as_zombie();
      }
    }

    auto session = std::make_unique<Session>();
    session->key = key;
    session->access = std::move(access);
    session->cursors = SessionCursors::bound(ident, *record);
    session->may_send = may_send;
    Session& s = *session;
    sessions_.push_back(std::move(session));
    ++session_count_;
    if (options_.stats) ++options_.stats->sessions;

    if (!pump(s, true)) return;
    if (auto sink = key.sink.lock()) {
      sink->deliver(key.session_ident, key.binding,
                    protocol::make_log_message(key.session_ident, protocol::LogLevel::debug,
                                               "Session " + std::to_string(key.session_ident) +
                                                   " bound to client file ident " +
                                                   std::to_string(record->ident)));
    }
  });
}

void ServerRealm::upload(SessionKey key, protocol::Upload upload) {
  on_strand([this, key = std::move(key), upload = std::move(upload)]() mutable {
    Session* s = find(key);
    if (s == nullptr) return;  // ended meanwhile
    if (!upload.changesets.empty() && !s->access.rights.write) {
      fail(key, ProtocolError::permission_denied,
           "no permission to upload to the Realm '" + options_.path + "'", false);
      return;
    }
    auto outcome = s->cursors.accept_upload(std::move(upload));
    if (outcome.violation) {
      fail(key, outcome.violation->code, outcome.violation->message, false);
      return;
    }
    if (!outcome.to_integrate) return;  // nothing new: no integration, no DOWNLOAD
    pending_.push_back({key, std::move(*outcome.to_integrate)});
    if (!integration_scheduled_) {
      integration_scheduled_ = true;
      on_strand([this] { integrate_pending(); });
    }
  });
}

void ServerRealm::mark(SessionKey key, std::uint64_t request_ident) {
  on_strand([this, key = std::move(key), request_ident] {
    Session* s = find(key);
    if (s == nullptr) return;
    s->mark_pending = request_ident;
    pump(*s, false);
  });
}

void ServerRealm::detach(SessionKey key) {
  on_strand([this, key = std::move(key)] { remove_session(key); });
}

void ServerRealm::download_written(SessionKey key) {
  on_strand([this, key = std::move(key)] {
    Session* s = find(key);
    if (s == nullptr || store_ == nullptr) return;
    s->may_send = true;
    pump(*s, false);
  });
}

void ServerRealm::close_if_idle() {
  on_strand([this] {
    if (!store_ || !sessions_.empty() || !pending_.empty() || integration_scheduled_) return;
    if (std::chrono::steady_clock::now() - idle_since_ < options_.idle_timeout) return;
    log::debug("closing the idle Realm '", options_.path, "'");
    store_.reset();
    if (options_.stats) --options_.stats->realms_open;
  });
}

void ServerRealm::recheck_rights(std::optional<std::string> identity) {
  on_strand([this, identity = std::move(identity)] {
    if (!options_.rights) return;
    std::vector<std::pair<SessionKey, std::string>> lost;
    for (auto& s : sessions_) {
      if (identity && s->access.claims.identity != *identity) continue;
      auto rights = options_.rights(s->access.claims, options_.path);
      if (!rights) {
        lost.emplace_back(s->key, rights.error().message);
      } else if (!rights->read) {
        lost.emplace_back(s->key, "permission to read the Realm '" + options_.path +
                                      "' was revoked");
      } else {
        s->access.rights = *rights;
      }
    }
    for (auto& [key, why] : lost) {
      log::info("ending session ", key.session_ident, " on '", options_.path, "': ", why);
      fail(key, ProtocolError::permission_denied, why, false);
    }
  });
}

void ServerRealm::flush_pending_of(std::uint64_t client_file_ident) {
  bool any = std::any_of(pending_.begin(), pending_.end(), [&](const PendingUpload& p) {
    return p.upload.client_file_ident == client_file_ident;
  });
  if (any) integrate_pending();
}

void ServerRealm::integrate_pending() {
  integration_scheduled_ = false;
  if (pending_.empty()) return;
  auto batch = std::move(pending_);
  pending_.clear();
  // The reference server integrates a batch client by client in ascending
  // file identifier order (merge.md 3.2); any order converges, this one also
  // gives the reference's bytes. Stable: each client's uploads keep theirs.
  std::stable_sort(batch.begin(), batch.end(), [](const PendingUpload& a, const PendingUpload& b) {
    return a.upload.client_file_ident < b.upload.client_file_ident;
  });
  if (auto ok = ensure_store(); !ok) {
    for (const auto& p : batch) {
      fail(p.key, ProtocolError::other_session_error, ok.error().message, true);
    }
    return;
  }
  std::vector<store::Upload> uploads;
  uploads.reserve(batch.size());
  for (auto& p : batch) uploads.push_back(std::move(p.upload));

  Result<std::vector<Result<store::Integrated>>> results =
      make_error(Errc::internal, "not integrated");
  try {
    results = store_->integrate_group(uploads);
  } catch (const std::bad_alloc&) {
    // The transaction was rolled back on the way out; nothing is kept.
    results = make_error(Errc::unavailable, "out of memory");
  }
  if (!results) {
    log::error("cannot integrate ", uploads.size(), " uploads into '", options_.path,
               "': ", results.error().message);
    for (const auto& p : batch) {
      fail(p.key, ProtocolError::other_session_error,
           "the server could not store the upload; try again later", true);
    }
    return;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const auto& result = (*results)[i];
    if (!result) {
      log::warn("upload from client file ", uploads[i].client_file_ident, " to '",
                   options_.path, "' refused: ", result.error().message);
      fail(batch[i].key, store_error_code(result.error()), result.error().message,
           retryable(result.error()));
      continue;
    }
    if (options_.stats) options_.stats->changesets_integrated += result->versions.size();
  }
  if (options_.on_commit) options_.on_commit(options_.path);
  pump_all();
}

void ServerRealm::pump_all() {
  // pump() may fail a session, which removes it: walk over a copy of keys.
  std::vector<SessionKey> keys;
  keys.reserve(sessions_.size());
  for (const auto& s : sessions_) keys.push_back(s->key);
  for (const auto& key : keys) {
    if (Session* s = find(key)) pump(*s, false);
  }
}

bool ServerRealm::pump(Session& s, bool first) {
  const SessionKey key = s.key;
  auto sink = key.sink.lock();
  if (!sink) {
    remove_session(key);
    return false;
  }
  auto latest = store_->latest();
  if (!latest) {
    fail(key, ProtocolError::other_session_error, latest.error().message, true);
    return false;
  }
  auto record = store_->client_file(s.cursors.file_ident, s.cursors.file_salt);
  if (!record) {
    fail(key, store_error_code(record.error()), record.error().message, retryable(record.error()));
    return false;
  }
  const std::uint64_t newest = latest->version;
  // At least one DOWNLOAD per session, even when `first` had to wait.
  while (first || !s.download_sent || s.cursors.download_server_version < newest) {
    // The next one waits until the connection wrote this one
    // (download_written), and the MARK behind it.
    if (!s.may_send) return true;
    DownloadRequest request;
    request.session_ident = key.session_ident;
    request.download_server_version = s.cursors.download_server_version;
    request.download_client_version = s.cursors.download_client_version;
    request.latest = *latest;
    request.record = *record;
    request.max_bytes = options_.max_download_bytes;
    auto built = build_download(*store_, request);
    if (!built) {
      fail(key, store_error_code(built.error()), built.error().message,
           retryable(built.error()));
      return false;
    }
    protocol::Download download = std::move(*built);
    s.cursors.download_server_version = download.download_server_version;
    s.cursors.download_client_version = download.download_client_version;
    s.download_sent = true;
    s.may_send = false;
    first = false;
    sink->deliver(key.session_ident, key.binding, std::move(download));
  }
  if (s.mark_pending && s.download_sent && s.cursors.download_server_version == newest) {
    sink->deliver(key.session_ident, key.binding,
                  protocol::ServerMark{key.session_ident, *s.mark_pending});
    s.mark_pending.reset();
  }
  return true;
}

Result<nlohmann::json> ServerRealm::with_store(
    std::function<Result<nlohmann::json>(store::RealmStore&)> f) {
  std::promise<Result<nlohmann::json>> promise;
  auto future = promise.get_future();
  on_strand([this, &promise, &f] {
    if (auto ok = ensure_store(); !ok) {
      promise.set_value(ok.error());
      return;
    }
    promise.set_value(f(*store_));
  });
  return future.get();
}

void ServerRealm::shut_down(const std::string& reason) {
  std::promise<void> promise;
  auto future = promise.get_future();
  shut_down_async(reason, [&promise] { promise.set_value(); });
  future.get();
}

void ServerRealm::with_store_async(std::function<Result<nlohmann::json>(store::RealmStore&)> f,
                                   std::function<void(Result<nlohmann::json>)> done) {
  on_strand([this, f = std::move(f), done = std::move(done)] {
    if (auto ok = ensure_store(); !ok) {
      done(ok.error());
      return;
    }
    done(f(*store_));
  });
}

void ServerRealm::shut_down_async(std::string reason, std::function<void()> done) {
  on_strand([this, reason = std::move(reason), done = std::move(done)] {
    if (store_ && !pending_.empty()) integrate_pending();
    std::vector<SessionKey> keys;
    for (const auto& s : sessions_) keys.push_back(s->key);
    for (const auto& key : keys) fail(key, ProtocolError::session_closed, reason, true);
    if (store_) {
      store_.reset();
      if (options_.stats) --options_.stats->realms_open;
    }
    shut_ = true;
    done();
  });
}

void ServerRealm::describe_sessions_async(
    std::function<void(std::vector<nlohmann::json>)> done) {
  on_strand([this, done = std::move(done)] { done(describe_on_strand()); });
}

std::vector<nlohmann::json> ServerRealm::describe_on_strand() const {
  std::vector<nlohmann::json> out;
  for (const auto& s : sessions_) {
    auto sink = s->key.sink.lock();
    out.push_back({{"realm", options_.path},
                   {"session", s->key.session_ident},
                   {"peer", sink ? sink->peer() : std::string()},
                   {"identity", s->access.claims.identity},
                   {"client_file", s->cursors.file_ident},
                   {"download_server_version", s->cursors.download_server_version},
                   {"upload_client_version", s->cursors.previous_progress.client_version},
                   {"read", s->access.rights.read},
                   {"write", s->access.rights.write}});
  }
  return out;
}

std::vector<nlohmann::json> ServerRealm::describe_sessions() {
  std::promise<std::vector<nlohmann::json>> promise;
  auto future = promise.get_future();
  on_strand([this, &promise] { promise.set_value(describe_on_strand()); });
  return future.get();
}

}  // namespace ros::sync::server
