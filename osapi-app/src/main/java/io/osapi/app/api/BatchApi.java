package io.osapi.app.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * {@code POST /api/v1/jobs/batch}: many creates in one request, a JSON array of create bodies or
 * NDJSON (one per line), at most {@value #MAX_ITEMS} of them and {@value #MAX_BYTES} bytes.
 * Each item is parsed and validated as a single create ({@link CreateBody}), needs the permission
 * a single create of it needs and gets its own audit record ({@link BatchItems}); the items that
 * pass are created pipelined (at most {@value #IN_FLIGHT} at once). The answer, 200, lists one
 * entry per item in the order sent: {@code status} 201 with {@code job_id}, or the status a single
 * create would have had with {@code error} and {@code details}; some items may be created while
 * others are refused. A body that cannot be split into items (not a JSON array, bad JSON in an
 * array, no items, too many) is refused whole with 400 and creates nothing.
 */
final class BatchApi {
  private static final System.Logger LOG = System.getLogger(BatchApi.class.getName());

  /** Items a batch holds at most. */
  static final int MAX_ITEMS = 1000;

  /** Bytes a batch body holds at most (its own cap, besides {@code --max-body-bytes}). */
  static final int MAX_BYTES = 4 * 1024 * 1024;

  /** Creates of one batch in flight at once. */
  static final int IN_FLIGHT = 256;

  private final JobClient client;
  private final StoreLimitHints hints;

  BatchApi(JobClient client, StoreLimitHints hints) {
    this.client = Objects.requireNonNull(client, "client");
    this.hints = Objects.requireNonNull(hints, "hints");
  }

  /** Creates the items of a batch; the per-item answers. */
  ApiModel.BatchResult create(HttpExchange ex) throws IOException {
    BatchItems edge = CallerExchange.itemsOf(ex);
    byte[] body = RequestBodies.read(ex, MAX_BYTES);
    List<byte[]> raw = split(body, ex.getRequestHeaders().getFirst("Content-Type"));
    int n = raw.size();
    ApiModel.BatchItem[] answers = new ApiModel.BatchItem[n];
    CreateJobRequest[] requests = new CreateJobRequest[n];
    AuditRecord[] records = new AuditRecord[n];
    List<AuditRecord> finals = new ArrayList<>(n);
    List<Integer> admitted = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      try {
        requests[i] = CreateBody.parse(raw.get(i));
      } catch (ApiException e) {
        answers[i] = refused(i, e); // nothing names an operation: no record, as a single 400
        continue;
      }
      records[i] = edge.record(i, requests[i]);
      var refusal = edge.refusal(requests[i]);
      if (refusal.isPresent()) {
        answers[i] = refused(i, refusal.get());
        finals.add(edge.outcome(records[i], 403, null));
        continue;
      }
      admitted.add(i);
    }
    boolean[] begun = edge.begin(admitted.stream().map(i -> records[i]).toList());
    Semaphore window = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<JobView>> sent = new ArrayList<>(admitted.size());
    for (int k = 0; k < admitted.size(); k++) {
      int i = admitted.get(k);
      if (!begun[k]) {
        answers[i] = refused(i, new ApiException(503, "the audit trail is unavailable (it cannot"
            + " record this item now), so it was not created; try again later", Map.of(),
            Map.of()));
        sent.add(null);
        continue;
      }
      try {
        window.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      try {
        sent.add(client.createAsync(requests[i]).whenComplete((v, e) -> window.release()));
      } catch (InvalidInputException e) {
        window.release();
        sent.add(CompletableFuture.failedFuture(e));
      } catch (RuntimeException e) {
        window.release();
        sent.add(CompletableFuture.failedFuture(e));
      }
    }
    for (int k = 0; k < admitted.size(); k++) {
      int i = admitted.get(k);
      if (sent.get(k) == null) {
        continue; // not begun: no record stored, nothing created
      }
      try {
        JobView v = sent.get(k).get();
        String id = v.job().id().value();
        answers[i] = new ApiModel.BatchItem(i, 201, id, null, null);
        finals.add(edge.outcome(records[i], 201, id));
      } catch (ExecutionException | CompletionException e) {
        ApiException refusal = failure(e.getCause());
        answers[i] = refused(i, refusal);
        finals.add(edge.outcome(records[i], refusal.status(), null));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    edge.finish(finals);
    int created = (int) Arrays.stream(answers).filter(a -> a.status() == 201).count();
    return new ApiModel.BatchResult(created, n - created, List.of(answers));
  }

  private static ApiModel.BatchItem refused(int index, ApiException e) {
    return new ApiModel.BatchItem(index, e.status(), null, e.getMessage(),
        e.details().isEmpty() ? null : e.details());
  }

  /** What a single create would have answered for this failure. */
  private ApiException failure(Throwable t) {
    if (t instanceof InvalidInputException e) {
      return ApiException.badRequest(e.field(), e.getMessage());
    }
    if (t instanceof StoreFullException e) {
      return hints.answer(e);
    }
    if (t instanceof PermanentStoreException e) {
      return new ApiException(422, "the job store refuses this item: " + e.getMessage(),
          Map.of(), Map.of());
    }
    if (t instanceof BackendUnavailableException) {
      return new ApiException(503, "the job store is unavailable, try again later", Map.of(),
          Map.of());
    }
    LOG.log(Level.ERROR, "a batch item failed", t);
    return new ApiException(500, "internal error", Map.of(), Map.of());
  }

  /**
   * The items of a batch body as the bytes of each: the elements of a JSON array, or the lines of
   * NDJSON (blank lines skipped). NDJSON is read when the type says {@code application/x-ndjson}
   * or the body does not start with {@code [}.
   *
   * @throws ApiException 400 when there are no items, more than {@value #MAX_ITEMS}, or an array
   *     that is not valid JSON
   */
  static List<byte[]> split(byte[] body, String contentType) {
    int first = 0;
    while (first < body.length && Character.isWhitespace(body[first])) {
      first++;
    }
    boolean ndjson = contentType != null
        && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-ndjson");
    List<byte[]> items = !ndjson && first < body.length && body[first] == '['
        ? arrayItems(body) : lines(body);
    if (items.isEmpty()) {
      throw ApiException.badRequest("body", "the batch has no jobs: send a JSON array of create"
          + " bodies, or one per line (NDJSON)");
    }
    return items;
  }

  private static List<byte[]> lines(byte[] body) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        boolean blank = true;
        for (int j = start; j < i && blank; j++) {
          blank = Character.isWhitespace(body[j]);
        }
        if (!blank) {
          tooMany(out.size() + 1);
          out.add(Arrays.copyOfRange(body, start, i));
        }
        start = i + 1;
      }
    }
    return out;
  }

  private static List<byte[]> arrayItems(byte[] body) {
    List<byte[]> out = new ArrayList<>();
    try (JsonParser p = ApiJson.mapper().getFactory().createParser(body)) {
      p.nextToken(); // [
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == null) {
          throw ApiException.badRequest("body", "the batch array is not closed");
        }
        tooMany(out.size() + 1);
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        out.add(Arrays.copyOfRange(body, (int) start, (int) end));
      }
      if (p.nextToken() != null) {
        throw ApiException.badRequest("body", "the batch body has more after its array");
      }
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw ApiException.badRequest("body", "the batch is not valid JSON: "
          + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw ApiException.badRequest("body", "the batch cannot be read: " + e.getMessage());
    }
    return out;
  }

  private static void tooMany(int count) {
    if (count > MAX_ITEMS) {
      throw ApiException.badRequest("body", "a batch holds at most " + MAX_ITEMS
          + " jobs: send the rest in another");
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String l = nl < 0 ? s : s.substring(0, nl);
    return l.length() > 200 ? l.substring(0, 200) + "..." : l;
  }
}
