#!/usr/bin/env python3
# Bytes on disk per row of what a host writes per request, measured with
# Python's SQLite: 100,000 rows of the benchmark's requests (activa_load's
# names, the load catalog's edition) in a fresh file, then VACUUM.
#   events-text     the 12290 sentence as text (schema 8 and earlier)
#   events-columns  its fields as columns (schema 9)
#   events-10       the same, with events_by_id leaving out the 12290s
#                   (schema 10)
#   clients-text    a new client's host_clients row and its three indexes,
#                   keyed by the IDs' text (schema 9 and earlier)
#   clients-bytes   the row and its two indexes, keyed by the IDs' 16 bytes
#                   and in CMID order (schema 10)
# The schemas are copied from src/daemon/state_store.cc's migrations.
import os
import random
import sqlite3
import tempfile
import uuid

N = 100000
T0 = 1795000000
EDITION = "Load Test Software Suite Professional"
EVENTS = """
CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, event_id INTEGER NOT NULL,
  message TEXT NOT NULL, result INTEGER, count INTEGER, required_count INTEGER,
  threshold INTEGER, machine_name TEXT, cmid BLOB, edition TEXT, client_time INTEGER,
  license_state INTEGER, minutes_left INTEGER, virtual_machine INTEGER);
CREATE INDEX events_by_id ON events (event_id, id);
"""
EVENTS_10 = EVENTS.replace("(event_id, id);", "(event_id, id) WHERE event_id <> 12290;")
CLIENTS_TEXT = """
CREATE TABLE host_clients (application_id TEXT NOT NULL, cmid TEXT NOT NULL,
  machine_name TEXT NOT NULL, sku_id TEXT NOT NULL, last_seen INTEGER NOT NULL,
  license_state INTEGER NOT NULL, is_virtual_machine INTEGER NOT NULL,
  requests INTEGER NOT NULL, PRIMARY KEY (application_id, cmid)) WITHOUT ROWID;
CREATE INDEX host_clients_by_cmid ON host_clients (cmid, application_id);
CREATE INDEX host_clients_by_last_seen ON host_clients (last_seen);
CREATE INDEX host_clients_by_name ON host_clients (machine_name COLLATE NOCASE, cmid, application_id);
"""
CLIENTS_BYTES = """
CREATE TABLE host_clients (cmid BLOB NOT NULL, application_id BLOB NOT NULL,
  machine_name TEXT NOT NULL, sku_id BLOB NOT NULL, last_seen INTEGER NOT NULL,
  license_state INTEGER NOT NULL, is_virtual_machine INTEGER NOT NULL,
  requests INTEGER NOT NULL, PRIMARY KEY (cmid, application_id)) WITHOUT ROWID;
CREATE INDEX host_clients_by_last_seen ON host_clients (last_seen);
CREATE INDEX host_clients_by_name ON host_clients (machine_name COLLATE NOCASE, cmid, application_id);
"""


def measure(schema, sql, rows):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "rows.db")
        db = sqlite3.connect(path)
        db.executescript(schema)
        db.executemany(sql, rows)
        db.commit()
        db.execute("VACUUM")
        db.close()
        return os.path.getsize(path) / N


def main():
    rnd = random.Random(1)
    cmids = [uuid.UUID(int=rnd.getrandbits(128)) for _ in range(N)]
    names = ["load-%08x" % i for i in range(N)]
    insert = ("INSERT INTO events (time, event_id, message, result, count, required_count, "
              "threshold, machine_name, cmid, edition, client_time, license_state, "
              "minutes_left, virtual_machine) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
    text = [(T0, 12290,
             "An activation request has been processed. Result: 0x00000000; count: %d; "
             "required count: 25; threshold: 25; client: %s; CMID: %s; edition: %s; client "
             "time: 2026-11-18 11:06:40 UTC; license state: 2; minutes to expiry: 43200; "
             "virtual machine: no" % (25 + i % 1000, names[i], cmids[i], EDITION))
            + (None,) * 11 for i in range(N)]
    columns = [(T0, 12290, "", 0, 25 + i % 1000, 25, 25, names[i], cmids[i].bytes, EDITION, T0,
                2, 43200, 0) for i in range(N)]
    app, sku = uuid.UUID(int=1), uuid.UUID(int=2)
    clients_text = [(str(app), str(cmids[i]), names[i], str(sku), T0 + i // 1000, 2, 0, 1)
                    for i in range(N)]
    clients_bytes = [(cmids[i].bytes, app.bytes, names[i], sku.bytes, T0 + i // 1000, 2, 0, 1)
                     for i in range(N)]
    print("events-text     %6.1f bytes per row" % measure(EVENTS, insert, text))
    print("events-columns  %6.1f bytes per row" % measure(EVENTS, insert, columns))
    print("events-10       %6.1f bytes per row" % measure(EVENTS_10, insert, columns))
    print("clients-text    %6.1f bytes per row" %
          measure(CLIENTS_TEXT, "INSERT INTO host_clients VALUES (?,?,?,?,?,?,?,?)", clients_text))
    print("clients-bytes   %6.1f bytes per row" %
          measure(CLIENTS_BYTES, "INSERT INTO host_clients VALUES (?,?,?,?,?,?,?,?)",
                  clients_bytes))


if __name__ == "__main__":
    main()
