package io.osapi.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditJsonTest {
  private static final Instant T = Instant.parse("2026-12-05T22:42:39.123Z");

  private static AuditRecord full() {
    return new AuditRecord("0b1c2d3e-aaaa-bbbb-cccc-0123456789ab", T, "alice", List.of("write", "ops"),
        "10.0.0.7:51234", "POST", "/api/v1/jobs", Map.of("job", "j1"), "diag.echo",
        "label:group=web", 201, 17L, "req-1", "4bf92f3577b34da6a3ce929d0e0e4736");
  }

  private static String json(AuditRecord r) {
    return new String(AuditJson.write(r), StandardCharsets.UTF_8);
  }

  @Test
  void timesAreWrittenAsTheFormatterWritesThem() {
    java.time.format.DateTimeFormatter f = java.time.format.DateTimeFormatter
        .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    java.util.Random r = new java.util.Random(29);
    List<Instant> ts = new java.util.ArrayList<>(List.of(Instant.EPOCH,
        Instant.parse("2026-12-05T22:42:39.123456789Z"), Instant.parse("1969-12-31T23:59:59.001Z"),
        Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("2026-01-01T00:00:00Z")));
    for (int i = 0; i < 1000; i++) {
      ts.add(Instant.ofEpochSecond(r.nextInt(Integer.MAX_VALUE) * 2L, r.nextInt(1_000_000_000)));
    }
    for (Instant t : ts) {
      assertThat(AuditJson.time(t)).as("%s", t)
          .isEqualTo(f.format(t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)));
    }
  }

  @Test
  void writesSnakeCaseFieldsInOrderWithMilliseconds() {
    assertThat(json(full())).isEqualTo("{\"id\":\"0b1c2d3e-aaaa-bbbb-cccc-0123456789ab\","
        + "\"time\":\"2026-12-05T22:42:39.123Z\",\"subject\":\"alice\",\"roles\":[\"write\",\"ops\"],"
        + "\"source\":\"10.0.0.7:51234\",\"method\":\"POST\",\"route\":\"/api/v1/jobs\","
        + "\"ids\":{\"job\":\"j1\"},\"operation\":\"diag.echo\",\"target\":\"label:group=web\","
        + "\"status\":201,\"duration_ms\":17,\"request_id\":\"req-1\","
        + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}");
  }

  @Test
  void leavesNullsOutAndWritesWholeSecondsWithMilliseconds() {
    AuditRecord p = new AuditRecord("p1", Instant.parse("2026-12-05T22:42:39Z"), "anonymous",
        List.of(), "127.0.0.1:1", "DELETE", "/api/v1/jobs/{id}", Map.of(), null, null, null, null,
        "p1", null);
    String s = json(p);
    assertThat(s).contains("\"time\":\"2026-12-05T22:42:39.000Z\"")
        .doesNotContain("null", "status", "duration_ms", "operation", "target", "trace_id");
    assertThat(AuditJson.read(AuditJson.write(p))).isEqualTo(p);
  }

  @Test
  void keepsOperationDataAndCutsItAtTheLimit() {
    AuditRecord base = full();
    AuditRecord withData = new AuditRecord(base.id(), base.time(), base.subject(), base.roles(),
        base.source(), base.method(), base.route(), base.ids(), base.operation(), base.target(),
        base.status(), base.durationMs(), base.requestId(), base.traceId(),
        "{\"argv\":[\"systemctl\",\"restart\",\"nginx\"]}");
    assertThat(json(withData)).endsWith(",\"data\":\"{\\\"argv\\\":[\\\"systemctl\\\","
        + "\\\"restart\\\",\\\"nginx\\\"]}\"}");
    assertThat(AuditJson.read(AuditJson.write(withData))).isEqualTo(withData);
    assertThat(withData.completed(200, 1).data()).isEqualTo(withData.data());
    String big = "\uD83D\uDE00".repeat(AuditRecord.MAX_DATA);
    AuditRecord cut = new AuditRecord(base.id(), base.time(), base.subject(), base.roles(),
        base.source(), base.method(), base.route(), base.ids(), null, null, null, null,
        base.requestId(), null, big);
    assertThat(cut.data().length()).isLessThanOrEqualTo(AuditRecord.MAX_DATA);
    assertThat(cut.data()).endsWith(AuditRecord.CUT);
    assertThat(Character.isHighSurrogate(cut.data().charAt(cut.data().length()
        - AuditRecord.CUT.length() - 1))).as("no half character before the mark").isFalse();
    assertThat(AuditJson.read(AuditJson.write(cut))).isEqualTo(cut);
  }

  @Test
  void roundTripsFullRecords() {
    assertThat(AuditJson.read(AuditJson.write(full()))).isEqualTo(full());
    AuditRecord p = full().completed(503, 0);
    assertThat(AuditJson.read(AuditJson.write(p))).isEqualTo(p);
  }

  @Test
  void roundTripsUnicodeAndOddCharactersOnOneLine() {
    String odd = "é日本語😀 \"q\" \\ / \n\r\t\b\f \u0000\u001f \u2028\u2029 <script>";
    AuditRecord r = new AuditRecord("odd", T, odd, List.of(odd, ""), odd, "PUT", odd,
        Map.of("job", odd, "worker", "web.01"), odd, odd, 404, Long.MAX_VALUE, odd, odd);
    byte[] b = AuditJson.write(r);
    String s = new String(b, StandardCharsets.UTF_8);
    assertThat(s).doesNotContain("\n", "\r").contains("😀");
    assertThat(AuditJson.read(b)).isEqualTo(r);
  }

  @Test
  void writesHalfASurrogatePairAsTheReplacementCharacter() {
    AuditRecord r = new AuditRecord("s", T, "a\uD800b", List.of(), "x", "GET", "/r", Map.of(),
        null, null, null, null, "s", null);
    assertThat(AuditJson.read(AuditJson.write(r)).subject()).isEqualTo("a\uFFFDb");
  }

  @Test
  void truncatesTimesToMilliseconds() {
    AuditRecord r = new AuditRecord("n", Instant.parse("2026-12-05T22:42:39.123456789Z"), "a",
        List.of(), "x", "GET", "/r", Map.of(), null, null, null, null, "n", null);
    assertThat(AuditJson.read(AuditJson.write(r)).time()).isEqualTo(T);
  }

  @Test
  void readsOffsetsAndIgnoresUnknownFields() {
    String s = "{\"id\":\"x\",\"time\":\"2026-12-05T23:42:39.123+01:00\",\"subject\":\"a\","
        + "\"source\":\"s\",\"method\":\"GET\",\"route\":\"/r\",\"request_id\":\"x\","
        + "\"future\":{\"a\":[1,2]}}";
    AuditRecord r = AuditJson.read(s.getBytes(StandardCharsets.UTF_8));
    assertThat(r.time()).isEqualTo(T);
    assertThat(r.roles()).isEmpty();
    assertThat(r.ids()).isEmpty();
    assertThat(r.pending()).isTrue();
  }

  @Test
  void refusesWhatIsNotARecord() {
    for (String bad : List.of("", "[]", "{}", "{\"id\":\"x\"}",
        "{\"id\":1,\"time\":\"2026-12-05T22:42:39Z\",\"subject\":\"a\",\"source\":\"s\","
            + "\"method\":\"GET\",\"route\":\"/r\",\"request_id\":\"x\"}",
        "{\"id\":\"x\",\"time\":\"yesterday\",\"subject\":\"a\",\"source\":\"s\","
            + "\"method\":\"GET\",\"route\":\"/r\",\"request_id\":\"x\"}",
        "{\"id\":\"x\",\"time\":\"2026-12-05T22:42:39Z\",\"subject\":\"a\",\"source\":\"s\","
            + "\"method\":\"GET\",\"route\":\"/r\",\"request_id\":\"x\",\"status\":\"200\"}",
        "{\"id\":\"x\",\"time\":\"2026-12-05T22:42:39Z\",\"subject\":\"a\",\"source\":\"s\","
            + "\"method\":\"GET\",\"route\":\"/r\",\"request_id\":\"x\",\"ids\":{\"job\":null}}",
        "{\"id\":\"" + "x".repeat(65) + "\",\"time\":\"2026-12-05T22:42:39Z\",\"subject\":\"a\","
            + "\"source\":\"s\",\"method\":\"GET\",\"route\":\"/r\",\"request_id\":\"x\"}")) {
      assertThatThrownBy(() -> AuditJson.read(bad.getBytes(StandardCharsets.UTF_8)))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> AuditJson.read(new byte[] {'{', (byte) 0xff, '}'}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
  }

  @Test
  void theWrittenTextIsThatOfItsFieldsMapForAnyRecord() {
    java.util.Random r = new java.util.Random(7);
    String[] texts = {"alice", "", "a\"b", "back\\slash", "new\nline", "\u0001ctl", "é",
        "\ud83d\ude00", "lone\ud83d", "x\ude00y", "/api/v1/jobs/{id}"};
    int compared = 0;
    for (int i = 0; i < 5_000; i++) {
      java.util.function.Supplier<String> t = () -> texts[r.nextInt(texts.length)];
      java.util.function.Supplier<String> maybe = () -> r.nextInt(3) == 0 ? null : t.get();
      List<String> roles = new java.util.ArrayList<>();
      for (int k = r.nextInt(3); k > 0; k--) {
        roles.add(t.get());
      }
      Map<String, String> ids = new java.util.HashMap<>();
      for (int k = r.nextInt(4); k > 0; k--) {
        ids.put(t.get(), t.get());
      }
      AuditRecord a;
      try {
        a = new AuditRecord(t.get(),
          Instant.ofEpochMilli(r.nextLong(0, 253_402_300_799_000L)), t.get(), roles, t.get(),
          t.get(), t.get(), ids, maybe.get(), maybe.get(),
          r.nextBoolean() ? null : r.nextInt(100, 600),
          r.nextBoolean() ? null : r.nextLong(0, 1_000_000), t.get(), maybe.get(), maybe.get());
      } catch (IllegalArgumentException refused) {
        continue; // a record the type refuses (an empty id, say) is never written
      }
      assertThat(new String(AuditJson.write(a), StandardCharsets.UTF_8)).as("%s", a)
          .isEqualTo(io.osapi.core.internal.Json.write(AuditJson.fields(a)));
      compared++;
    }
    assertThat(compared).as("records compared").isGreaterThan(1_000);
  }
}
