package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.osapi.app.auth.Caller;
import io.osapi.core.audit.AuditRecord;
import java.io.IOException;
import java.util.Objects;

/**
 * A request as the handler sees it once the edge let it through: it carries the verified {@link
 * Caller} (as its principal) and, for an audited request, stores the final audit record just
 * before the answer's headers go out.
 */
final class CallerExchange extends DelegatingExchange {
  private final CallerPrincipal principal;
  private final AuditTrail trail;
  private final AuditRecord pending;
  private final long startNanos;
  private final BatchItems items;
  private final BodyBinder.Parsed<?> body;
  private final java.util.concurrent.CompletableFuture<Void> recorded;
  private boolean finished;

  /**
   * @param ex the exchange
   * @param caller who made the request
   * @param trail where the final record goes, or null when the request is not audited
   * @param pending its stored pending record, or null when not audited
   * @param startNanos when the request arrived ({@link System#nanoTime()})
   */
  CallerExchange(HttpExchange ex, Caller caller, AuditTrail trail, AuditRecord pending,
      long startNanos) {
    this(ex, caller, trail, pending, startNanos, null, null, null);
  }

  /**
   * A batch of creates: as above, with the edge's steps for each item.
   *
   * @param items the per-item permission and audit steps, or null for any other request
   * @param body the body of a create or retry as the edge bound it, or null for any other request
   * @param recorded the append of {@code pending} when it is still under way (a create: {@link
   *     #afterRecord}), or null when it was stored before the handler runs (or not audited)
   */
  CallerExchange(HttpExchange ex, Caller caller, AuditTrail trail, AuditRecord pending,
      long startNanos, BatchItems items, BodyBinder.Parsed<?> body,
      java.util.concurrent.CompletableFuture<Void> recorded) {
    super(ex);
    this.recorded = recorded;
    this.items = items;
    this.body = body;
    this.principal = new CallerPrincipal(Objects.requireNonNull(caller, "caller"));
    this.trail = trail;
    this.pending = pending;
    this.startNanos = startNanos;
  }

  /** The caller of a request that passed the edge. */
  static Caller callerOf(HttpExchange ex) {
    if (ex.getPrincipal() instanceof CallerPrincipal p) {
      return p.caller();
    }
    throw new IllegalStateException("a request reached the handler without passing the edge");
  }

  /**
   * The create a request that passed the edge asks for, parsed once by the edge.
   *
   * @throws ApiException 400 when its body is not a valid create
   */
  static io.osapi.core.service.CreateJobRequest createOf(HttpExchange ex) {
    return bodyOf(ex, io.osapi.core.service.CreateJobRequest.class, "a create");
  }

  /**
   * The body of a retry that passed the edge, bound once by the edge (null: none).
   *
   * @throws ApiException 400 when its body is not a valid retry body
   */
  static ApiModel.RetryBody retryOf(HttpExchange ex) {
    return bodyOf(ex, ApiModel.RetryBody.class, "a retry");
  }

  private static <T> T bodyOf(HttpExchange ex, Class<T> type, String what) {
    if (ex instanceof CallerExchange c && c.body != null) {
      Object v = c.body.orThrow();
      if (v == null || type.isInstance(v)) {
        return type.cast(v);
      }
    }
    throw new IllegalStateException(what + " reached the handler without its parsed body");
  }

  /**
   * Waits until the request's pending audit record is stored (at once when the edge stored it
   * before the handler ran, or the request is not audited): the handler changes nothing before.
   * The append was sent by the edge as soon as the request was admitted, so it travels while the
   * handler gets ready.
   *
   * @throws ApiException 503 when the record could not be stored within the patience
   * @throws io.osapi.core.domain.StoreFullException when the audit store has no room (507)
   */
  static void awaitRecord(HttpExchange ex) {
    if (!(ex instanceof CallerExchange c) || c.recorded == null) {
      return;
    }
    try {
      c.recorded.get(c.trail.patience().plusSeconds(30).toNanos(),
          java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuditTrail.Unrecorded().answer();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AuditTrail.Unrecorded().answer();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof io.osapi.core.domain.StoreFullException full) {
        throw full;
      }
      throw new AuditTrail.Unrecorded().answer();
    }
  }

  /** Whether the pending record is stored (waiting for its append when still under way). */
  private boolean pendingStored() {
    if (recorded == null) {
      return true;
    }
    try {
      recorded.join();
      return true;
    } catch (java.util.concurrent.CompletionException
        | java.util.concurrent.CancellationException e) {
      return false;
    }
  }

  /** The edge's per-item steps of a batch that passed the edge. */
  static BatchItems itemsOf(HttpExchange ex) {
    if (ex instanceof CallerExchange c && c.items != null) {
      return c.items;
    }
    throw new IllegalStateException("a batch reached the handler without its per-item steps");
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return principal;
  }

  @Override
  public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    if (pending != null && !finished && pendingStored()) {
      finished = true;
      trail.finish(pending.completed(rCode, (System.nanoTime() - startNanos) / 1_000_000L));
    }
    super.sendResponseHeaders(rCode, responseLength);
  }

  /** The principal that carries the caller. */
  static final class CallerPrincipal extends HttpPrincipal {
    private final Caller caller;

    CallerPrincipal(Caller caller) {
      super(caller.subject(), "osapi");
      this.caller = caller;
    }

    Caller caller() {
      return caller;
    }
  }
}
