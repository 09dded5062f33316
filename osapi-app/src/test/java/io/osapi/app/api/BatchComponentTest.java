package io.osapi.app.api;

import static io.osapi.app.api.AuditEdgeComponentTest.THREE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.audit.InMemoryAuditLog;
import io.osapi.core.domain.JobId;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /api/v1/jobs/batch} over a real HTTP server: per-item answers in order, partial
 * success, each item passing the checks of a single create (an attacker cannot smuggle a
 * privileged job in a batch), one audit record per item.
 */
@Timeout(60)
class BatchComponentTest {
  static final String ECHO = "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"n\": 1e400}}}";
  static final String PRIV = "{\"operation\":{\"type\":\"test.privileged\",\"data\":{\"x\":1}}}";
  private EdgeHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private long jobs() throws Exception {
    return ApiJson.mapper().readTree(h.send("GET", "/api/v1/jobs/stats", null, "a").body())
        .get("total").asLong();
  }

  private JsonNode batch(String body, String bearer, int status) throws Exception {
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs/batch", body, bearer);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return ApiJson.mapper().readTree(r.body());
  }

  private HttpResponse<String> post(String body, String type, String bearer) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + h.server.boundAddress().getPort()
                + "/api/v1/jobs/batch"))
        .header("Authorization", "Bearer " + bearer).header("Content-Type", type)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<AuditRecord> itemRecords() {
    return h.records().stream().filter(r -> r.ids().containsKey("item")).toList();
  }

  @Test
  void itemsAreAnsweredInOrderWithPartialSuccessAndOneRecordEach() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog(), false,
        AuditEdgeComponentTest.withPrivileged());
    JsonNode r = batch("[" + ECHO + ", {\"operation\":{\"type\":\"diag.echo\"},\"bogus\":1},"
        + " {\"operation\":{\"type\":\"no.such\"}}, " + ECHO + "]", "w", 200);
    assertThat(r.get("created").asInt()).isEqualTo(2);
    assertThat(r.get("refused").asInt()).isEqualTo(2);
    JsonNode items = r.get("items");
    assertThat(items).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(items.get(i).get("index").asInt()).isEqualTo(i);
    }
    assertThat(items.get(0).get("status").asInt()).isEqualTo(201);
    assertThat(items.get(1).get("status").asInt()).isEqualTo(400);
    assertThat(items.get(1).get("details").get("field").asText()).isEqualTo("bogus");
    assertThat(items.get(2).get("status").asInt()).isEqualTo(400);
    assertThat(items.get(3).get("status").asInt()).isEqualTo(201);
    assertThat(jobs()).isEqualTo(2);
    // the data as sent, byte for byte, as a single create keeps it
    String id = items.get(0).get("job_id").asText();
    assertThat(h.client.get(JobId.parse(id)).orElseThrow().job().operation().data())
        .isEqualTo("{\"n\": 1e400}");
    // one final record per item that named a known operation, with the job's id when created
    assertThat(itemRecords()).allMatch(x -> !x.pending()).extracting(AuditRecord::status)
        .containsExactlyInAnyOrder(201, 201, 400);
    assertThat(itemRecords()).filteredOn(x -> x.status() == 201)
        .extracting(x -> x.ids().get("job")).contains(id);
    assertThat(itemRecords()).allMatch(x -> x.subject().equals("walt")
        && x.route().equals("/api/v1/jobs/batch"));
  }

  @Test
  void aPrivilegedItemSmuggledInABatchIsRefusedWithoutItsPermission() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog(), false,
        AuditEdgeComponentTest.withPrivileged());
    // among harmless items, and first of all, as NDJSON and as an array
    JsonNode arr = batch("[" + ECHO + "," + PRIV + "," + ECHO + "]", "w", 200);
    assertThat(arr.get("items").get(1).get("status").asInt()).isEqualTo(403);
    assertThat(arr.get("items").get(1).get("details").get("permission").asText())
        .isEqualTo("jobs:create:privileged");
    JsonNode nd = batch(PRIV + "\n" + ECHO + "\n", "w", 200);
    assertThat(nd.get("items").get(0).get("status").asInt()).isEqualTo(403);
    // the type twice in one item (a last-wins parser would pick the privileged one): in an
    // array the whole batch is refused, as NDJSON that line
    String twice = "{\"operation\":{\"type\":\"diag.echo\",\"type\":\"test.privileged\"}}";
    batch("[" + twice + "]", "w", 400);
    JsonNode line = batch(twice + "\n", "w", 200);
    assertThat(line.get("items").get(0).get("status").asInt()).isEqualTo(400);
    assertThat(jobs()).isEqualTo(3); // the harmless ones only
    assertThat(h.client.list(null, 100, 0).items())
        .allMatch(v -> v.operation().equals("diag.echo"));
    // the refusals are in the trail with who tried
    assertThat(itemRecords()).filteredOn(x -> x.status() == 403)
        .extracting(AuditRecord::operation, AuditRecord::subject)
        .containsOnly(org.assertj.core.groups.Tuple.tuple("test.privileged", "walt"));
    // positive control: a caller with the permission creates it, signed as a single create is
    JsonNode ok = batch("[" + PRIV + "]", "a", 200);
    assertThat(ok.get("items").get(0).get("status").asInt()).isEqualTo(201);
    JobId id = JobId.parse(ok.get("items").get(0).get("job_id").asText());
    assertThat(h.client.get(id).orElseThrow().job().operation().type())
        .isEqualTo("test.privileged");
  }

  @Test
  void aCallerWithoutCreateIsRefusedWholeAndAWrongTypeIs415() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs/batch", "[" + ECHO + "]", "r");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("jobs:create");
    HttpResponse<String> plain = post("[" + ECHO + "]", "text/plain", "w");
    assertThat(plain.statusCode()).isEqualTo(415);
    assertThat(jobs()).isZero();
  }

  @Test
  void ndjsonWithItsOwnTypeAndBlankLines() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      b.append("{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"i\":").append(i)
          .append("}}}\n\n");
    }
    b.append("not json\n");
    HttpResponse<String> r = post(b.toString(), "application/x-ndjson", "w");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode items = ApiJson.mapper().readTree(r.body()).get("items");
    assertThat(items).hasSize(6);
    for (int i = 0; i < 5; i++) {
      String id = items.get(i).get("job_id").asText();
      assertThat(h.client.get(JobId.parse(id)).orElseThrow().job().operation().data())
          .isEqualTo("{\"i\":" + i + "}");
    }
    assertThat(items.get(5).get("status").asInt()).isEqualTo(400);
  }

  @Test
  void tooManyItemsOrBytesOrBadJsonCreateNothing() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    List<String> many = new ArrayList<>();
    for (int i = 0; i < BatchApi.MAX_ITEMS + 1; i++) {
      many.add(ECHO);
    }
    JsonNode over = batch("[" + String.join(",", many) + "]", "w", 400);
    assertThat(over.get("error").asText()).contains("at most 1000");
    batch(String.join("\n", many), "w", 400);
    batch("[" + ECHO + ", {", "w", 400);
    batch("[]", "w", 400);
    int port = h.server.boundAddress().getPort();
    RawHttp.Reply big = RawHttp.send(port, "POST /api/v1/jobs/batch HTTP/1.1\r\nHost: 127.0.0.1:"
        + port + "\r\nAuthorization: Bearer w\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + (BatchApi.MAX_BYTES + 1) + "\r\n\r\n[", java.time.Duration.ofSeconds(5));
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.body()).contains("\"max_body_bytes\":" + BatchApi.MAX_BYTES);
    assertThat(jobs()).isZero();
    // positive control: exactly the most items
    many.remove(0);
    JsonNode full = batch("[" + String.join(",", many) + "]", "w", 200);
    assertThat(full.get("created").asInt()).isEqualTo(BatchApi.MAX_ITEMS);
    assertThat(jobs()).isEqualTo(BatchApi.MAX_ITEMS);
  }

  @Test
  void anItemWhoseRecordCannotBeStoredIsNotCreated() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    h.audit.failWhen = x -> x.pending() && "1".equals(x.ids().get("item"));
    JsonNode r = batch("[" + ECHO + "," + ECHO + "," + ECHO + "]", "w", 200);
    assertThat(r.get("items").get(1).get("status").asInt()).isEqualTo(503);
    assertThat(r.get("items").get(0).get("status").asInt()).isEqualTo(201);
    assertThat(r.get("items").get(2).get("status").asInt()).isEqualTo(201);
    assertThat(jobs()).isEqualTo(2);
  }
}
