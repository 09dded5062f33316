package io.osapi.core.audit;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where audit records are kept (a port). Every implementation passes the audit log contract
 * tests.
 *
 * <p>Appends are idempotent by {@link AuditRecord#id()} and phase: appending the same pending or
 * final record twice stores it once; appending the final record of an id replaces its pending one.
 * Records leave the log by age and size only.
 */
public interface AuditLog {
  /**
   * Stores a record (pending or final).
   *
   * @return completes once the record is stored durably; fails (never throws) when it cannot be,
   *     with {@link io.osapi.core.domain.BackendUnavailableException} when the store is
   *     unreachable
   */
  CompletableFuture<Void> append(AuditRecord record);

  /**
   * One page of the records that pass the query's filters, newest first (by when they were
   * last appended).
   *
   * @throws io.osapi.core.domain.BackendUnavailableException when the store is unreachable
   * @throws io.osapi.core.domain.InvalidInputException for a cursor this log did not hand out
   *     (field {@code cursor})
   */
  AuditPage list(AuditQuery query);

  /**
   * Hands every record appended at or after {@code since} (by record time) to {@code sink},
   * oldest first, as they were at the time of the call; a pending record whose final one follows
   * is handed over once, final.
   *
   * @return how many records were handed over
   * @throws io.osapi.core.domain.BackendUnavailableException when the store is unreachable
   */
  long export(Instant since, Consumer<AuditRecord> sink);
}
