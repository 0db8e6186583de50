// The op table of syncd.sock (design.md, "Control protocol"):
//   realm.list                       every Realm file, with "clients" bound now
//   realm.show {path, class, limit}  schema and objects (sync/inspect)
//   realm.schema {path}              schema
//   realm.history {path, from, limit} decoded history entries
//   realm.rm {path}                  ends the Realm's sessions, deletes it
//   session.list                     every bound session
//   stat                             counters since start (stats.hpp)
//   feed.follow {paths, from}        stream: the change feed (change_feed.hpp),
//                                    from {path: version}, paths a regex
// Realm reads run on the Realm's strand, so they see committed data only and
// never race an integration; the ops that wait for a Realm (realm.show,
// realm.schema, realm.history, realm.rm, session.list) answer from its strand
// as one-line streams, so that no network thread waits for a busy Realm. A path names an existing Realm (not_found
// otherwise; nothing is created).
#pragma once

#include <chrono>
#include <vector>

#include "control/server.hpp"
#include "sync/server/change_feed.hpp"
#include "sync/server/sync_service.hpp"

namespace ros::sync::server {

std::vector<control::Op> control_ops(SyncService& service, ChangeFeed& feed,
                                     std::chrono::steady_clock::time_point started);

}  // namespace ros::sync::server
