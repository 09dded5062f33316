package io.osapi.core.audit;

import java.util.List;

/**
 * One page of the audit trail, newest first.
 *
 * @param items the records on this page
 * @param next the cursor to pass for the records older than this page, or null when there are
 *     none; a page may hold fewer than the limit (even none) and still have a next cursor when the
 *     log stopped scanning to keep a request short
 */
public record AuditPage(List<AuditRecord> items, String next) {
  /** Copies the list. */
  public AuditPage {
    items = List.copyOf(items);
  }
}
