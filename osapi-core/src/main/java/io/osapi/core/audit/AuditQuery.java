package io.osapi.core.audit;

import java.time.Instant;

/**
 * A filter over the audit trail and one page of it, newest first. Every filter is optional
 * (null).
 *
 * @param subject only records of this subject
 * @param since only records at or after this time
 * @param until only records before this time
 * @param route only records of this route template
 * @param limit records per page (1 to {@link #MAX_LIMIT})
 * @param cursor where the previous page stopped ({@link AuditPage#next()}), or null for the newest
 */
public record AuditQuery(
    String subject, Instant since, Instant until, String route, int limit, String cursor) {
  /** Largest page. */
  public static final int MAX_LIMIT = 1000;

  /** Checks the limit. */
  public AuditQuery {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }
  }

  /** The newest {@code limit} records, unfiltered. */
  public static AuditQuery newest(int limit) {
    return new AuditQuery(null, null, null, null, limit, null);
  }

  /** Whether a record passes the filters (not the cursor). */
  public boolean matches(AuditRecord r) {
    return (subject == null || subject.equals(r.subject()))
        && (since == null || !r.time().isBefore(since))
        && (until == null || r.time().isBefore(until))
        && (route == null || route.equals(r.route()));
  }
}
