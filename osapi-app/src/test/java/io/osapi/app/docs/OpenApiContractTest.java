package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.ApiRoute;
import io.osapi.app.docs.OpenApiContract.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/openapi.yaml} on its own: it lints clean, the jar serves this very file, it lists
 * exactly the routes of {@link ApiRoute}, its examples conform to it, and the validator the
 * contract test uses does fail on a response that differs from it (an added, renamed or dropped
 * field, an unknown status, a missing header). {@code OpenApiContractIT} checks it against a
 * running controller.
 */
class OpenApiContractTest {
  private static final String JOB_ID = "01a22d64-2936-7251-8d08-8b021314aa34";
  private static final String CREATED = "{\"job_id\":\"" + JOB_ID + "\",\"status\":\"submitted\","
      + "\"created\":\"2026-11-30T16:57:48.598323159Z\"}";

  private final OpenApiContract contract = OpenApiContract.load();

  @Test
  void theDocumentLintsWithoutAMessage() {
    assertThat(OpenApiContract.lint(contract.yaml())).isEmpty();
  }

  @Test
  void lintingFindsAMistake() {
    String broken = contract.yaml().replace("'#/components/schemas/JobList'",
        "'#/components/schemas/NoSuchSchema'");
    assertThat(OpenApiContract.lint(broken)).isNotEmpty();
  }

  @Test
  void theJarServesThisVeryFile() throws IOException {
    try (InputStream in = ApiRoute.class.getResourceAsStream("openapi.yaml")) {
      assertThat(in).as("io/osapi/app/api/openapi.yaml on the class path").isNotNull();
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(contract.yaml());
    }
  }

  @Test
  void itListsExactlyTheRoutesOfTheCode() {
    Map<String, TreeSet<String>> documented = new TreeMap<>();
    for (Map.Entry<String, JsonNode> p : contract.tree().path("paths").properties()) {
      if (p.getKey().startsWith(ApiRoute.BASE + "/")) {
        TreeSet<String> methods = new TreeSet<>();
        p.getValue().fieldNames().forEachRemaining(m -> {
          if (!m.equals("parameters") && !m.equals("servers")) {
            methods.add(m.toUpperCase(Locale.ROOT));
          }
        });
        documented.put(p.getKey(), methods);
      }
    }
    Map<String, TreeSet<String>> served = new TreeMap<>();
    for (ApiRoute r : ApiRoute.values()) {
      served.put(r.template(), new TreeSet<>(r.methods()));
    }
    assertThat(documented).isEqualTo(served);
  }

  @Test
  void itsExamplesConformToIt() {
    List<String> checked = new ArrayList<>();
    assertThat(contract.exampleProblems(checked)).isEmpty();
    assertThat(checked).as("examples checked").hasSizeGreaterThan(25);
  }

  @Test
  void aBrokenExampleIsFound() {
    OpenApiContract broken = OpenApiContract.of(contract.yaml()
        .replace("heartbeat_age_seconds: 9.436", "heartbeat_age_seconds: soon"));
    assertThat(broken.exampleProblems(new ArrayList<>())).hasSize(1);
  }

  // ---- the validator fails on answers that differ from the document

  private Exchange created(int status, Map<String, List<String>> headers, String body) {
    return new Exchange("POST", "/api/v1/jobs", null, Map.of(), null, status, headers, body);
  }

  private static Map<String, List<String>> json(String... more) {
    Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.put("Content-Type", List.of("application/json; charset=utf-8"));
    for (int i = 0; i < more.length; i += 2) {
      h.put(more[i], List.of(more[i + 1]));
    }
    return h;
  }

  private List<String> createErrors(int status, Map<String, List<String>> headers, String body) {
    return contract.responseProblems("/api/v1/jobs", "POST", created(status, headers, body));
  }

  @Test
  void theRealAnswerPasses() {
    assertThat(createErrors(201, json("Location", "/api/v1/jobs/" + JOB_ID), CREATED)).isEmpty();
  }

  @Test
  void anAddedFieldFails() {
    assertThat(createErrors(201, json("Location", "/api/v1/jobs/" + JOB_ID),
        CREATED.replace("}", ",\"priority\":1}"))).isNotEmpty();
  }

  @Test
  void aRenamedFieldFails() {
    assertThat(createErrors(201, json("Location", "/api/v1/jobs/" + JOB_ID),
        CREATED.replace("\"job_id\"", "\"id\""))).isNotEmpty();
  }

  @Test
  void aDroppedFieldFails() {
    assertThat(createErrors(201, json("Location", "/api/v1/jobs/" + JOB_ID),
        CREATED.replace("\"status\":\"submitted\",", ""))).isNotEmpty();
  }

  @Test
  void anotherValueOfAnEnumFails() {
    assertThat(createErrors(201, json("Location", "/api/v1/jobs/" + JOB_ID),
        CREATED.replace("submitted", "queued"))).isNotEmpty();
  }

  @Test
  void aStatusCodeTheDocumentDoesNotListFails() {
    assertThat(createErrors(202, json("Location", "/api/v1/jobs/" + JOB_ID), CREATED))
        .anyMatch(e -> e.startsWith("status 202 is not documented"));
  }

  @Test
  void aMissingHeaderFails() {
    assertThat(createErrors(201, json(), CREATED)).containsExactly("header Location is missing");
    assertThat(createErrors(503, json(), "{\"error\":\"the job store is not connected yet\"}"))
        .containsExactly("header Retry-After is missing");
    assertThat(createErrors(503, json("Retry-After", "soon"), "{\"error\":\"busy\"}"))
        .hasSize(1);
  }

  @Test
  void anErrorWithAnUndocumentedDetailFails() {
    assertThat(createErrors(400, json(), "{\"error\":\"bad\",\"details\":{\"field\":\"body\"}}"))
        .isEmpty();
    assertThat(createErrors(400, json(), "{\"error\":\"bad\",\"details\":{\"hint\":\"x\"}}"))
        .isNotEmpty();
  }

  @Test
  void anAnswerToAnUndocumentedMethodIsCheckedAgainstItsComponent() {
    Exchange put = new Exchange("PUT", "/api/v1/jobs", null, Map.of(), null, 405,
        json("Allow", "GET, POST"),
        "{\"error\":\"method PUT is not allowed on /api/v1/jobs\","
            + "\"details\":{\"allow\":[\"GET\",\"POST\"]}}");
    contract.assertUndocumented(put, "MethodNotAllowed");
    assertThat(contract.responseProblems(OpenApiContract.UNDOCUMENTED + "MethodNotAllowed", "GET",
        new Exchange("PUT", "/api/v1/jobs", null, Map.of(), null, 405, json(),
            put.responseBody()))).isNotEmpty();
  }

  // ---- and on requests that differ from it

  private static final Map<String, List<String>> AUTH_JSON = Map.of(
      "Authorization", List.of("Bearer a-token-of-16-chars"),
      "Content-Type", List.of("application/json"));

  private List<String> requestProblems(String method, String path, String query,
      Map<String, List<String>> headers, String body) {
    return contract.requestProblems(
        new Exchange(method, path, query, headers, body, 0, Map.of(), ""));
  }

  @Test
  void aRequestAsDocumentedPasses() {
    assertThat(requestProblems("POST", "/api/v1/jobs", null, AUTH_JSON,
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":null},\"target\":\"_all\","
            + "\"timeout_seconds\":10}")).isEmpty();
    assertThat(requestProblems("GET", "/api/v1/jobs", "status=failed&limit=100&offset=0&after="
        + JOB_ID, AUTH_JSON, null)).isEmpty();
    assertThat(requestProblems("GET", "/api/v1/jobs/stats", null, AUTH_JSON, null)).isEmpty();
    assertThat(requestProblems("POST", "/api/v1/workers/web-01.dev/drain", null, AUTH_JSON, null))
        .isEmpty();
  }

  @Test
  void requestsTheDocumentForbidsFail() {
    assertThat(requestProblems("POST", "/api/v1/jobs", null, AUTH_JSON,
        "{\"operation\":{\"type\":\"diag.echo\"},\"priority\":1}")).hasSize(1);
    assertThat(requestProblems("POST", "/api/v1/jobs", null, AUTH_JSON,
        "{\"operation\":{\"type\":\"diag.echo\"},\"timeout_seconds\":86401}")).hasSize(1);
    assertThat(requestProblems("POST", "/api/v1/jobs", null, Map.of(), "{}")).hasSize(2);
    assertThat(requestProblems("GET", "/api/v1/jobs", "limit=0", AUTH_JSON, null)).hasSize(1);
    assertThat(requestProblems("GET", "/api/v1/jobs", "limit=ten", AUTH_JSON, null)).hasSize(1);
    assertThat(requestProblems("GET", "/api/v1/jobs", "page=2", AUTH_JSON, null))
        .containsExactly("query parameter page is not documented");
    assertThat(requestProblems("GET", "/api/v1/jobs/not-a-job", null, AUTH_JSON, null))
        .isNotEmpty();
    assertThat(requestProblems("PUT", "/api/v1/jobs", null, AUTH_JSON, null))
        .allMatch(p -> p.startsWith(OpenApiContract.NOT_DOCUMENTED));
  }
}
