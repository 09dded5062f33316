package io.osapi.app.docs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The schemas of an OpenAPI document, addressed by JSON pointer into it, checked by networknt's
 * JSON Schema validator in the OpenAPI 3.1 dialect (JSON Schema 2020-12), formats asserted.
 */
final class DocumentSchemas {
  private static final String ID = "https://osapi.invalid/openapi.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode doc;
  private final SchemaRegistry registry;
  private final Map<String, Schema> schemas = new HashMap<>();

  /** A node of the document, {@code $ref}s followed, and its pointer. */
  record Ref(JsonNode node, String pointer) {}

  DocumentSchemas(JsonNode doc) {
    this.doc = doc;
    String text;
    try {
      text = JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    this.registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(), b -> b
        .schemas(Map.of(ID, text))
        .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true)
            .build()));
  }

  /** A body against the {@code content} of the object at {@code pointer}. */
  List<String> content(String pointer, String contentType, String text, String what) {
    JsonNode content = doc.at(pointer + "/content");
    if (contentType == null) {
      return List.of(what + " without a Content-Type");
    }
    String media = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!content.has(media)) {
      return List.of(what + ": media type " + media + " is not documented (" + fieldNames(content)
          + ")");
    }
    String schema = pointer + "/content/" + escape(media) + "/schema";
    JsonNode instance;
    if (media.endsWith("json")) {
      try {
        instance = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        return List.of(what + " is not JSON: " + e.getOriginalMessage());
      }
    } else {
      instance = TextNode.valueOf(text);
    }
    return validate(schema, instance).stream().map(e -> what + ": " + e).toList();
  }

  /** The schema errors of {@code instance} against the schema at {@code pointer}. */
  List<String> validate(String pointer, JsonNode instance) {
    Schema s = schemas.computeIfAbsent(pointer,
        k -> registry.getSchema(SchemaLocation.of(ID + "#" + k)));
    return s.validate(instance).stream().map(Object::toString).toList();
  }

  /** A parameter or header value as the JSON its schema expects (an integer, else a string). */
  JsonNode coerce(String schemaPointer, String value) {
    JsonNode schema = deref(schemaPointer).node();
    if (schema.path("type").asText().equals("integer")) {
      try {
        return LongNode.valueOf(Long.parseLong(value.trim()));
      } catch (NumberFormatException e) {
        return TextNode.valueOf(value);
      }
    }
    return TextNode.valueOf(value);
  }

  /** The node at {@code pointer}, its {@code $ref}s followed. */
  Ref deref(String pointer) {
    JsonNode n = doc.at(pointer);
    for (int i = 0; i < 10 && n.has("$ref"); i++) {
      pointer = n.get("$ref").asText().substring(1);
      n = doc.at(pointer);
    }
    return new Ref(n, pointer);
  }

  private static String fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return String.join(", ", names);
  }

  /** A JSON pointer token. */
  static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
