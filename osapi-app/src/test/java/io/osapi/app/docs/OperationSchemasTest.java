package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationFailedException;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.operations.BuiltinOperations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operation schemas of {@code docs/openapi.yaml}: {@code x-osapi-operations} names, for every
 * built-in operation of {@link BuiltinOperations#registry()}, the schema of its data and of its
 * result, its kind and whether it is privileged. Each operation runs here for real (reading
 * {@code /proc}, sleeping, running processes, writing a temporary file) with a sample data object
 * that must conform to its data schema, and its real result must conform to its result schema.
 * Data its schema refuses must be refused by the handler too, and a renamed result field or a
 * missing entry is found.
 */
class OperationSchemasTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MAP = "x-osapi-operations";
  private static final String SCHEMAS = "#/components/schemas/";

  private final OperationRegistry registry = BuiltinOperations.registry();
  private final OpenApiContract contract = OpenApiContract.load();
  private final DocumentSchemas schemas = new DocumentSchemas(contract.tree());

  @TempDir Path dir;

  // ---- every built-in is documented, and nothing else

  @Test
  void everyBuiltinOperationHasADataAndAResultSchema() {
    assertThat(coverageProblems(contract.tree(), registry)).isEmpty();
    assertThat(contract.tree().path(MAP).size()).isEqualTo(14);
  }

  @Test
  void aBuiltinWithoutSchemasIsFound() {
    ObjectNode tree = contract.tree().deepCopy();
    ((ObjectNode) tree.get(MAP)).remove("diag.sleep");
    ((ObjectNode) tree.get(MAP).get("diag.echo")).remove("result");
    ((ObjectNode) tree.get(MAP).get("file.get")).put("privileged", false);
    ((ObjectNode) tree.get(MAP).get("system.os.get")).putObject("data")
        .put("$ref", SCHEMAS + "NoSuchSchema");
    assertThat(coverageProblems(tree, registry)).containsExactlyInAnyOrder(
        "diag.echo: no result schema",
        "diag.sleep: not in x-osapi-operations",
        "file.get: privileged is false, the code says true",
        "system.os.get: data names #/components/schemas/NoSuchSchema, which is not a schema");
    OperationRegistry more = BuiltinOperations.builder()
        .register("acme.thing.get", OperationKind.QUERY, "an embedder's own", c -> "{}").build();
    assertThat(coverageProblems(contract.tree(), more))
        .containsExactly("acme.thing.get: not in x-osapi-operations");
  }

  // ---- each runs for real and its data and result conform

  @Test
  void systemOperationsConform() throws Exception {
    for (String type : List.of("system.hostname.get", "system.uptime.get", "system.load.get",
        "system.memory.get", "system.disk.get", "system.os.get", "system.status.get")) {
      assertConforms(type, "{}");
    }
    JsonNode status = assertConforms("system.status.get", "{}");
    assertThat(status.path("uptime").has("error")).as("uptime read from /proc here").isFalse();
    assertThat(status.path("memory").has("total_bytes")).isTrue();
    assertThat(assertConforms("system.hostname.get", "{}").path("labels").path("rack").asText())
        .isEqualTo("r1");
  }

  @Test
  void diagOperationsConform() throws Exception {
    String data = "{\"a\":1,\"nested\":{\"b\":[true,null,\"x\"]}}";
    assertThat(assertConforms("diag.echo", data)).isEqualTo(JSON.readTree(data));
    assertThat(assertConforms("diag.sleep", "{\"seconds\":0.05}").path("slept_seconds").asDouble())
        .isEqualTo(0.05);

    assertThat(dataProblems(schemas, "diag.fail", JSON.readTree("{\"message\":\"boom\"}")))
        .isEmpty();
    Throwable t = catchThrowable(() -> run("diag.fail", "{\"message\":\"boom\"}"));
    assertThat(t).hasMessage("boom").isNotInstanceOf(OperationFailedException.class);
    // diag.fail keeps no result, and its result schema admits none
    assertThat(resultProblems(schemas, "diag.fail", JSON.readTree("{}"))).isNotEmpty();
    assertThat(resultProblems(schemas, "diag.fail", JSON.readTree("null"))).isNotEmpty();
  }

  @Test
  void hostOperationsConform() throws Exception {
    JsonNode out = assertConforms("command.exec", "{\"argv\":[\"sh\",\"-c\",\"cat; echo err >&2\"],"
        + "\"timeout_seconds\":20,\"cwd\":\"/\",\"env\":{},\"stdin\":\"in\"}");
    assertThat(out.path("stdout").asText()).isEqualTo("in");
    assertThat(assertConforms("shell.exec", "{\"script\":\"echo hi\",\"shell\":\"/bin/sh\"}")
        .path("stdout").asText()).isEqualTo("hi\n");
    // a failed command keeps its result with the failed run: that conforms too
    String failing = "{\"argv\":[\"sh\",\"-c\",\"exit 3\"]}";
    assertThat(dataProblems(schemas, "command.exec", JSON.readTree(failing))).isEmpty();
    Throwable t = catchThrowable(() -> run("command.exec", failing));
    assertThat(t).isInstanceOf(OperationFailedException.class);
    JsonNode kept = JSON.readTree(((OperationFailedException) t).result());
    assertThat(resultProblems(schemas, "command.exec", kept)).isEmpty();
    assertThat(kept.path("exit_code").asInt()).isEqualTo(3);

    String file = dir.resolve("motd").toString();
    String deploy = "{\"path\":\"" + file + "\",\"content\":\"hello\\n\",\"mode\":\"0640\"}";
    assertThat(assertConforms("file.deploy", deploy).path("previous_sha256").isNull()).isTrue();
    assertThat(assertConforms("file.deploy", deploy).path("changed").asBoolean()).isFalse();
    assertThat(assertConforms("file.deploy", "{\"path\":\"" + file
        + "\",\"content_base64\":\"aGk=\"}").path("changed").asBoolean()).isTrue();
    assertThat(Files.readString(Path.of(file))).isEqualTo("hi");
    assertThat(assertConforms("file.get", "{\"path\":\"" + file + "\",\"max_bytes\":1}")
        .path("truncated").asBoolean()).isTrue();
  }

  @Test
  void dataTheSchemaRefusesTheCodeRefuses() throws Exception {
    List<String[]> refused = List.of(
        new String[] {"diag.sleep", "{}"},
        new String[] {"diag.sleep", "{\"seconds\":\"1\"}"},
        new String[] {"diag.sleep", "{\"seconds\":-1}"},
        new String[] {"diag.sleep", "{\"seconds\":300.5}"},
        new String[] {"command.exec", "{\"argv\":[]}"},
        new String[] {"command.exec", "{\"argv\":[\"true\"],\"shell\":\"/bin/sh\"}"},
        new String[] {"command.exec", "{\"argv\":[\"true\"],\"timeout_seconds\":3601}"},
        new String[] {"command.exec", "{\"argv\":[\"true\"],\"env\":{\"A\":1}}"},
        new String[] {"shell.exec", "{\"argv\":[\"true\"]}"},
        new String[] {"file.deploy", "{\"content\":\"x\"}"},
        new String[] {"file.deploy", "{\"path\":\"" + dir.resolve("f") + "\",\"content\":\"x\","
            + "\"mode\":\"rw-r--r--\"}"},
        new String[] {"file.get", "{\"path\":\"/etc/hostname\",\"max_bytes\":-1}"},
        new String[] {"file.get", "{\"path\":\"/etc/hostname\",\"offset\":0}"});
    for (String[] r : refused) {
      assertThat(dataProblems(schemas, r[0], JSON.readTree(r[1])))
          .as("the schema of %s refuses %s", r[0], r[1]).isNotEmpty();
      assertThat(catchThrowable(() -> run(r[0], r[1])))
          .as("%s refuses %s", r[0], r[1]).isInstanceOf(InvalidInputException.class);
    }
  }

  // ---- and a wrong schema fails

  @Test
  void aResultSchemaThatDiffersFromTheCodeFails() throws Exception {
    DocumentSchemas renamed = schemasOf(contract.yaml()
        .replace("uptime_seconds: {type: number, minimum: 0}",
            "uptime: {type: number, minimum: 0}"));
    JsonNode real = JSON.readTree(run("system.uptime.get", "{}"));
    assertThat(resultProblems(schemas, "system.uptime.get", real)).isEmpty();
    assertThat(resultProblems(renamed, "system.uptime.get", real)).isNotEmpty();

    DocumentSchemas typed = schemasOf(contract.yaml()
        .replace("total_bytes: {type: integer, minimum: 0}\n        free_bytes: {type: integer",
            "total_bytes: {type: string}\n        free_bytes: {type: integer"));
    JsonNode memory = JSON.readTree(run("system.memory.get", "{}"));
    assertThat(resultProblems(typed, "system.memory.get", memory)).isNotEmpty();
  }

  // ---- helpers

  /** Runs {@code type} with {@code data}, checks both against the document; the result parsed. */
  private JsonNode assertConforms(String type, String data) throws Exception {
    JsonNode d = JSON.readTree(data);
    assertThat(dataProblems(schemas, type, d)).as("%s data %s", type, data).isEmpty();
    String result = run(type, data);
    JsonNode r = JSON.readTree(result);
    assertThat(resultProblems(schemas, type, r)).as("%s result %s", type, result).isEmpty();
    return r;
  }

  /** Runs the handler of {@code type} the way a worker does. */
  private String run(String type, String data) throws Exception {
    OperationContext c = new OperationContext(JobId.generate(Clock.systemUTC()),
        new Operation(type, data), "w1", Map.of("rack", "r1"), 1);
    return registry.require(type).handler().execute(c);
  }

  private static DocumentSchemas schemasOf(String yaml) {
    return new DocumentSchemas(OpenApiContract.of(yaml).tree());
  }

  private static List<String> dataProblems(DocumentSchemas s, String type, JsonNode data) {
    return s.validate("/" + MAP + "/" + DocumentSchemas.escape(type) + "/data", data);
  }

  private static List<String> resultProblems(DocumentSchemas s, String type, JsonNode result) {
    return s.validate("/" + MAP + "/" + DocumentSchemas.escape(type) + "/result", result);
  }

  /**
   * What {@code x-osapi-operations} of {@code tree} lacks or says wrongly about the operations of
   * {@code registry}: each must have a data and a result schema naming a schema of the document,
   * its kind and whether it is privileged; and it lists no other type.
   */
  static List<String> coverageProblems(JsonNode tree, OperationRegistry registry) {
    List<String> out = new ArrayList<>();
    JsonNode map = tree.path(MAP);
    Map<String, OperationDefinition> defs = new LinkedHashMap<>();
    new TreeSet<>(registry.types()).forEach(t -> defs.put(t, registry.require(t)));
    for (OperationDefinition d : defs.values()) {
      JsonNode entry = map.path(d.type());
      if (!entry.isObject()) {
        out.add(d.type() + ": not in " + MAP);
        continue;
      }
      for (String part : List.of("data", "result")) {
        String ref = entry.path(part).path("$ref").asText("");
        if (ref.isEmpty()) {
          out.add(d.type() + ": no " + part + " schema");
        } else if (!ref.startsWith(SCHEMAS)
            || !tree.at("/components/schemas/" + ref.substring(SCHEMAS.length())).isObject()) {
          out.add(d.type() + ": " + part + " names " + ref + ", which is not a schema");
        }
      }
      String kind = d.kind().name().toLowerCase(Locale.ROOT);
      if (!entry.path("kind").asText().equals(kind)) {
        out.add(d.type() + ": kind is " + entry.path("kind") + ", the code says " + kind);
      }
      if (!entry.path("privileged").isBoolean()
          || entry.path("privileged").asBoolean() != d.privileged()) {
        out.add(d.type() + ": privileged is " + entry.path("privileged") + ", the code says "
            + d.privileged());
      }
    }
    map.fieldNames().forEachRemaining(t -> {
      if (!defs.containsKey(t)) {
        out.add(t + ": in " + MAP + " but no built-in operation");
      }
    });
    return out;
  }
}
