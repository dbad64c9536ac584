#!/usr/bin/env python3
# What each commit of a host writes, by B-tree: reads the frames of a copy
# of a state database's write-ahead log, splits them into commits (a frame
# with a database size set ends one), and names each frame's page by what
# holds it now (SQLite's dbstat table, through Python's sqlite3).
#
# Usage: bench/wal-pages.py COPY [--commits N]
#   COPY     a copy of activad.db beside a copy of its activad.db-wal (as
#            COPY-wal), taken while the host is under load: copy the
#            database first, then the log. The log holds what was written
#            since its last checkpoint (about 1,000 pages), so read the
#            averages of a recent copy.
#   --commits N  average over the last N commits (default 300)
#
# The copy is used up: SQLite moves the log into the database when the
# script closes it.
import argparse
import collections
import sqlite3
import struct
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("db")
    ap.add_argument("--commits", type=int, default=300)
    args = ap.parse_args()
    try:
        wal = open(args.db + "-wal", "rb").read()
    except OSError as e:
        sys.exit(f"wal-pages.py: {e}")
    if len(wal) < 32 or struct.unpack(">I", wal[:4])[0] not in (0x377F0682, 0x377F0683):
        sys.exit(f"wal-pages.py: {args.db}-wal is not a SQLite write-ahead log")
    page_size = struct.unpack(">I", wal[8:12])[0]
    frame = 24 + page_size
    commits, current = [], []
    for i in range((len(wal) - 32) // frame):
        page, size_after = struct.unpack(">II", wal[32 + i * frame:32 + i * frame + 8])
        current.append(page)
        if size_after != 0:
            commits.append(current)
            current = []
    if not commits:
        sys.exit("wal-pages.py: the log holds no whole commit")
    names = {}
    con = sqlite3.connect(args.db)
    try:
        for name, page, kind in con.execute("SELECT name, pageno, pagetype FROM dbstat"):
            names[page] = f"{name} ({kind})"
    except sqlite3.OperationalError as e:
        sys.exit(f"wal-pages.py: {args.db}: {e} (this sqlite3 has no dbstat)")
    last = commits[-args.commits:]
    by_tree = collections.Counter()
    for c in last:
        for page in c:
            by_tree[names.get(page, "free or new")] += 1
    print(f"page size {page_size}, {len(commits)} commits in the log; the last {len(last)}:")
    print(f"{sum(map(len, last)) / len(last):6.2f} pages per commit")
    for name, n in by_tree.most_common():
        print(f"{n / len(last):6.2f} {name}")


if __name__ == "__main__":
    main()
