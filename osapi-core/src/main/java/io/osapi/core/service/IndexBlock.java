package io.osapi.core.service;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import java.util.UUID;

/**
 * One block of the {@link JobIndex}: up to {@value #CAPACITY} jobs in ascending id order as
 * parallel primitive arrays, with its counts by status. Also the index's id arithmetic (an id as
 * two longs). Not thread-safe: {@link JobIndex} guards it.
 */
final class IndexBlock {
  /** Jobs per block. */
  static final int CAPACITY = 1024;

  private static final int STATUS_COUNT = JobStatus.values().length;

  /** Heap per block: arrays with their headers, counts, the object. */
  static final long BYTES = 4L * (16 + 8L * CAPACITY) + (16 + CAPACITY) + 4L * (16 + 4L * CAPACITY)
      + (16 + 4L * STATUS_COUNT) + 72;

  /** {@link #worker} of a job no worker holds or held a run of. */
  static final int NO_WORKER = -1;

  /** {@link #worker} of a broadcast job: its runs' workers are in {@link IndexFeed}'s side map. */
  static final int BROADCAST = -2;

  /** The id's upper and lower 64 bits. */
  final long[] hi = new long[CAPACITY];
  final long[] lo = new long[CAPACITY];
  /** {@link JobStatus} ordinals. */
  final byte[] status = new byte[CAPACITY];
  /** The record's last write, epoch seconds read unsigned (the retention counts from it). */
  final int[] written = new int[CAPACITY];
  /** Interned operation type and target text. */
  final int[] operation = new int[CAPACITY];
  final int[] target = new int[CAPACITY];
  /**
   * The interned worker of an {@code _any} job's run (its holder, or last holder), {@link
   * #NO_WORKER}, or {@link #BROADCAST}.
   */
  final int[] worker = new int[CAPACITY];
  /** Creation and newest timeline time, epoch nanoseconds. */
  final long[] created = new long[CAPACITY];
  final long[] updated = new long[CAPACITY];
  final int[] counts = new int[STATUS_COUNT];
  int size;

  /** Binary search: the position, or {@code -(insertion point) - 1}. */
  int search(long h, long l) {
    int low = 0;
    int high = size - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int c = compare(hi[mid], lo[mid], h, l);
      if (c < 0) {
        low = mid + 1;
      } else if (c > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -(low + 1);
  }

  /** Writes entry {@code i} (the counts are the caller's). */
  void set(int i, long h, long l, byte s, int w, int op, int tg, int wk, long cr, long up) {
    hi[i] = h;
    lo[i] = l;
    status[i] = s;
    written[i] = w;
    operation[i] = op;
    target[i] = tg;
    worker[i] = wk;
    created[i] = cr;
    updated[i] = up;
  }

  /** Copies entry {@code from} to {@code to} in this block. */
  void copy(int from, int to) {
    if (from != to) {
      set(to, hi[from], lo[from], status[from], written[from], operation[from], target[from],
          worker[from], created[from], updated[from]);
    }
  }

  /** Inserts an entry at {@code p}, moving the later ones up. */
  void insert(int p, long h, long l, byte s, int w, int op, int tg, int wk, long cr, long up) {
    move(this, p, this, p + 1, size - p);
    set(p, h, l, s, w, op, tg, wk, cr, up);
    size++;
    counts[s]++;
  }

  /** Removes entry {@code p}. */
  void remove(int p) {
    counts[status[p]]--;
    move(this, p + 1, this, p, size - p - 1);
    size--;
  }

  /** Moves the upper half into a new block, returned. */
  IndexBlock splitUpper() {
    IndexBlock up = new IndexBlock();
    int half = size / 2;
    int n = size - half;
    move(this, half, up, 0, n);
    up.size = n;
    for (int i = 0; i < n; i++) {
      up.counts[up.status[i]]++;
      counts[up.status[i]]--;
    }
    size = half;
    return up;
  }

  private static void move(IndexBlock a, int from, IndexBlock b, int to, int n) {
    if (n <= 0) {
      return;
    }
    System.arraycopy(a.hi, from, b.hi, to, n);
    System.arraycopy(a.lo, from, b.lo, to, n);
    System.arraycopy(a.status, from, b.status, to, n);
    System.arraycopy(a.written, from, b.written, to, n);
    System.arraycopy(a.operation, from, b.operation, to, n);
    System.arraycopy(a.target, from, b.target, to, n);
    System.arraycopy(a.worker, from, b.worker, to, n);
    System.arraycopy(a.created, from, b.created, to, n);
    System.arraycopy(a.updated, from, b.updated, to, n);
  }

  /** Entries with status ordinal {@code s}, or all for a negative {@code s}. */
  int count(int s) {
    return s < 0 ? size : counts[s];
  }

  /** Entries with status {@code s} among the first {@code n}. */
  int countBelow(int s, int n) {
    int c = 0;
    for (int i = 0; i < n; i++) {
      if (status[i] == s) {
        c++;
      }
    }
    return c;
  }

  // ---- ids as two longs

  static long hi(JobId id) {
    String v = id.value(); // canonical: 8-4-4-4-12 lowercase hex
    return (hex(v, 0, 8) << 32) | (hex(v, 9, 13) << 16) | hex(v, 14, 18);
  }

  static long lo(JobId id) {
    String v = id.value();
    return (hex(v, 19, 23) << 48) | hex(v, 24, 36);
  }

  private static long hex(String s, int from, int to) {
    long r = 0;
    for (int i = from; i < to; i++) {
      r = (r << 4) | Character.digit(s.charAt(i), 16);
    }
    return r;
  }

  static JobId id(long hi, long lo) {
    return new JobId(new UUID(hi, lo).toString());
  }

  /** Unsigned order of the 128 bits: the order of the canonical strings. */
  static int compare(long h1, long l1, long h2, long l2) {
    int c = Long.compareUnsigned(h1, h2);
    return c != 0 ? c : Long.compareUnsigned(l1, l2);
  }

  /** The creation time a version 7 id carries (its first 48 bits). */
  static long createdMillis(long hi) {
    return hi >>> 16;
  }

  /** Epoch milliseconds as the seconds kept in {@link #written}, rounded up. */
  static int seconds(long millis) {
    long s = (millis + 999) / 1000;
    return (int) Math.min(Math.max(s, 0), 0xFFFFFFFFL); // read unsigned: good until 2106
  }

  /** Seconds of {@link #written} as epoch milliseconds. */
  static long writtenMillis(int seconds) {
    return Integer.toUnsignedLong(seconds) * 1000L;
  }
}
