package io.osapi.app.docs;

import static io.osapi.app.docs.DocumentSchemas.escape;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.osapi.app.docs.DocumentSchemas.Ref;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code docs/openapi.yaml} as a contract. The parser (swagger-parser) lints it; real HTTP
 * exchanges are checked against it: the path and method must be an operation of it, the query and
 * path parameters, the {@code Authorization} its security asks for and the request body must
 * conform; the status must be one it lists for the operation, with the headers it marks required
 * and a body of a media type and schema it gives. Schemas are checked by networknt's JSON Schema
 * validator in the OpenAPI 3.1 dialect (JSON Schema 2020-12), formats asserted.
 *
 * <p>Answers to paths and methods the document does not list (404 {@code NoSuchEndpoint}, 405
 * {@code MethodNotAllowed}) are checked against those components: the contract's copy of the
 * document gets one path per component response, {@value #UNDOCUMENTED}{@code <name>}, whose GET
 * answers only that component.
 */
final class OpenApiContract {
  /** Where the contract's copy of the document keeps the paths that stand for components. */
  static final String UNDOCUMENTED = "/x-contract/";

  /** Problems of a request the document does not describe at all start with this. */
  static final String NOT_DOCUMENTED = "not documented: ";

  private static final List<String> METHODS =
      List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final String yaml;
  private final JsonNode doc;
  private final DocumentSchemas schemas;
  private final Set<String> operations = new TreeSet<>();
  private int checked;

  private OpenApiContract(String yaml) {
    this.yaml = yaml;
    try {
      ObjectNode tree = (ObjectNode) new YAMLMapper().readTree(yaml);
      addComponentPaths(tree);
      this.doc = tree;
      this.schemas = new DocumentSchemas(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not YAML: " + e.getOriginalMessage(), e);
    }
  }

  /** The repository's document. */
  static OpenApiContract load() {
    return of(DocFiles.read("docs/openapi.yaml"));
  }

  /** A document given as YAML text. */
  static OpenApiContract of(String yaml) {
    return new OpenApiContract(yaml);
  }

  /** The document's text. */
  String yaml() {
    return yaml;
  }

  /** The document as a tree (with the component paths). */
  JsonNode tree() {
    return doc;
  }

  /** The parser's messages about the document, errors and warnings alike. */
  static List<String> lint(String yaml) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult r = new OpenAPIV3Parser().readContents(yaml, null, options);
    List<String> out = new ArrayList<>();
    if (r.getOpenAPI() == null) {
      out.add("not parsed");
    }
    if (r.getMessages() != null) {
      out.addAll(r.getMessages());
    }
    return out;
  }

  /** What was sent and what came back; bodies as text, empty for none. */
  record Exchange(
      String method,
      String path,
      String query,
      Map<String, List<String>> requestHeaders,
      String requestBody,
      int status,
      Map<String, List<String>> responseHeaders,
      String responseBody) {
    @Override
    public String toString() {
      return method + " " + path + (query == null ? "" : "?" + query) + " -> " + status + " "
          + responseBody;
    }
  }

  // ---- assertions

  /** Exchanges checked by the assertions so far. */
  int checked() {
    return checked;
  }

  /** The operations ({@code METHOD template}) those exchanges reached, components included. */
  Set<String> operationsChecked() {
    return operations;
  }

  /** The request and the answer conform. */
  void assertConforms(Exchange x) {
    List<String> p = new ArrayList<>(requestProblems(x));
    p.addAll(responseProblems(x.path(), x.method(), x));
    assertThat(p).as("%s", x).isEmpty();
    checked++;
  }

  /**
   * The request breaks the document on purpose (a client made from it would not send it), and
   * the answer conforms to the operation.
   */
  void assertRefusedRequest(Exchange x) {
    assertThat(requestProblems(x)).as("%s should break the document, but it conforms", x)
        .isNotEmpty();
    assertThat(responseProblems(x.path(), x.method(), x)).as("%s", x).isEmpty();
    checked++;
  }

  /**
   * The path or method is none of the document's, and the answer is the component response
   * {@code component} (such as {@code MethodNotAllowed}).
   */
  void assertUndocumented(Exchange x, String component) {
    assertThat(requestProblems(x)).as("%s should be a path or method the document lacks", x)
        .anyMatch(p -> p.startsWith(NOT_DOCUMENTED));
    assertThat(responseProblems(UNDOCUMENTED + component, "GET", x)).as("%s", x).isEmpty();
    checked++;
  }

  // ---- checks

  /** What is wrong with the request of {@code x}; empty when it conforms. */
  List<String> requestProblems(Exchange x) {
    List<String> out = new ArrayList<>();
    Op op = find(x.path(), x.method(), out);
    if (op == null) {
      return out;
    }
    Map<String, List<String>> headers = caseless(x.requestHeaders());
    JsonNode security = op.node().has("security") ? op.node().get("security")
        : doc.path("security");
    boolean open = !security.isArray() || security.isEmpty();
    for (JsonNode requirement : security) {
      open |= requirement.isEmpty();
    }
    String auth = first(headers, "Authorization");
    if (!open && (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7))) {
      out.add("security: no Authorization: Bearer header");
    }
    Map<String, String> query = query(x.query(), out);
    Map<String, Ref> params = new LinkedHashMap<>();
    for (String where : List.of(op.pathPointer(), op.pointer())) {
      int i = 0;
      for (JsonNode ignored : doc.at(where).path("parameters")) {
        Ref p = schemas.deref(where + "/parameters/" + i++);
        params.put(p.node().path("in").asText() + ":" + p.node().path("name").asText(), p);
      }
    }
    for (Ref p : params.values()) {
      String name = p.node().path("name").asText();
      String value = switch (p.node().path("in").asText()) {
        case "path" -> op.pathParams().get(name);
        case "query" -> query.remove(name);
        case "header" -> first(headers, name);
        default -> null;
      };
      if (value == null) {
        if (p.node().path("required").asBoolean()) {
          out.add("parameter " + name + " is required");
        }
        continue;
      }
      schemas.validate(p.pointer() + "/schema", schemas.coerce(p.pointer() + "/schema", value))
          .forEach(e -> out.add("parameter " + name + ": " + e));
    }
    query.keySet().forEach(k -> out.add("query parameter " + k + " is not documented"));
    Ref body = op.node().has("requestBody")
        ? schemas.deref(op.pointer() + "/requestBody") : null;
    String text = x.requestBody() == null ? "" : x.requestBody();
    if (text.isBlank()) {
      if (body != null && body.node().path("required").asBoolean()) {
        out.add("request body is required");
      }
    } else if (body == null) {
      out.add("request body is not documented for this operation");
    } else {
      out.addAll(schemas.content(body.pointer(), first(headers, "Content-Type"), text,
          "request body"));
    }
    return out;
  }

  /**
   * What is wrong with the answer of {@code x} as an answer of the operation {@code method
   * path}; empty when it conforms.
   */
  List<String> responseProblems(String path, String method, Exchange x) {
    List<String> out = new ArrayList<>();
    Op op = find(path, method, out);
    if (op == null) {
      return out;
    }
    String status = Integer.toString(x.status());
    if (!op.node().path("responses").has(status)) {
      out.add("status " + status + " is not documented for " + method + " " + op.template());
      return out;
    }
    Ref r = schemas.deref(op.pointer() + "/responses/" + status);
    Map<String, List<String>> headers = caseless(x.responseHeaders());
    for (Map.Entry<String, JsonNode> h : r.node().path("headers").properties()) {
      Ref header = schemas.deref(r.pointer() + "/headers/" + escape(h.getKey()));
      String value = first(headers, h.getKey());
      if (value == null) {
        if (header.node().path("required").asBoolean()) {
          out.add("header " + h.getKey() + " is missing");
        }
        continue;
      }
      String schema = header.pointer() + "/schema";
      schemas.validate(schema, schemas.coerce(schema, value))
          .forEach(e -> out.add("header " + h.getKey() + ": " + e));
    }
    String text = x.responseBody() == null ? "" : x.responseBody();
    if (!r.node().has("content")) {
      if (!text.isEmpty()) {
        out.add("a body, where the document has none: " + text);
      }
      return out;
    }
    out.addAll(schemas.content(r.pointer(), first(headers, "Content-Type"), text, "response body"));
    return out;
  }

  /** Problems of every example of the document against its own schema. */
  List<String> exampleProblems(List<String> checked) {
    List<String> out = new ArrayList<>();
    collectExamples("", doc, out, checked);
    return out;
  }

  private void collectExamples(String pointer, JsonNode node, List<String> out,
      List<String> checked) {
    if (!node.isContainerNode()) {
      return;
    }
    if (node.isObject() && node.has("schema") && (node.has("example") || node.has("examples"))
        && pointer.contains("/content/")) {
      List<JsonNode> examples = new ArrayList<>();
      if (node.has("example")) {
        examples.add(node.get("example"));
      }
      node.path("examples").forEach(e -> examples.add(e.path("value")));
      for (JsonNode e : examples) {
        checked.add(pointer);
        schemas.validate(pointer + "/schema", e).forEach(p -> out.add(pointer + ": " + p));
      }
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        collectExamples(pointer + "/" + escape(e.getKey()), e.getValue(), out, checked);
      }
    }
  }

  // ---- helpers

  private record Op(String template, JsonNode node, String pointer, String pathPointer,
      Map<String, String> pathParams) {}

  /** The operation of {@code method path}, or null with the reason added to {@code out}. */
  private Op find(String path, String method, List<String> out) {
    String[] segs = path.split("/", -1);
    String best = null;
    Map<String, String> bestParams = null;
    int bestLiterals = -1;
    for (Map.Entry<String, JsonNode> p : doc.path("paths").properties()) {
      String[] t = p.getKey().split("/", -1);
      if (t.length != segs.length) {
        continue;
      }
      Map<String, String> params = new HashMap<>();
      int literals = 0;
      boolean match = true;
      for (int i = 0; i < t.length && match; i++) {
        if (t[i].startsWith("{") && t[i].endsWith("}")) {
          match = !segs[i].isEmpty();
          params.put(t[i].substring(1, t[i].length() - 1),
              URLDecoder.decode(segs[i], StandardCharsets.UTF_8));
        } else {
          match = t[i].equals(segs[i]);
          literals++;
        }
      }
      if (match && literals > bestLiterals) {
        best = p.getKey();
        bestParams = params;
        bestLiterals = literals;
      }
    }
    if (best == null) {
      out.add(NOT_DOCUMENTED + "no path of the document matches " + path);
      return null;
    }
    String m = method.toLowerCase(Locale.ROOT);
    String pathPointer = "/paths/" + escape(best);
    if (!METHODS.contains(m) || !doc.at(pathPointer).has(m)) {
      out.add(NOT_DOCUMENTED + method + " is not an operation of " + best);
      return null;
    }
    operations.add(method + " " + best);
    return new Op(best, doc.at(pathPointer + "/" + m), pathPointer + "/" + m, pathPointer,
        bestParams);
  }

  private static Map<String, String> query(String raw, List<String> out) {
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (q.put(k, v) != null) {
        out.add("query parameter " + k + " is given twice");
      }
    }
    return q;
  }

  private static Map<String, List<String>> caseless(Map<String, List<String>> headers) {
    Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    m.putAll(headers);
    return m;
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> v = headers.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** One path per component response, whose GET answers only that component. */
  private static void addComponentPaths(ObjectNode tree) {
    ObjectNode paths = (ObjectNode) tree.get("paths");
    for (Map.Entry<String, JsonNode> e : tree.path("components").path("responses").properties()) {
      ObjectNode get = paths.putObject(UNDOCUMENTED + e.getKey()).putObject("get");
      get.putArray("security");
      get.putObject("responses").putObject(statusOf(e.getKey()))
          .put("$ref", "#/components/responses/" + e.getKey());
    }
  }

  /** The status of a component response, by its name. */
  private static String statusOf(String component) {
    return switch (component) {
      case "BadRequest" -> "400";
      case "Unauthorized" -> "401";
      case "Forbidden" -> "403";
      case "NotFound", "NoSuchEndpoint" -> "404";
      case "MethodNotAllowed" -> "405";
      case "Conflict" -> "409";
      case "TooLarge" -> "413";
      case "UnsupportedMediaType" -> "415";
      case "MisdirectedRequest" -> "421";
      case "StoreRefused" -> "422";
      case "InternalError" -> "500";
      case "Unavailable" -> "503";
      case "StoreFull" -> "507";
      default -> throw new IllegalStateException(
          "component response " + component + " has no status in OpenApiContract.statusOf");
    };
  }
}
