package io.osapi.app.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Reads request bodies with a cap: never more than {@code cap + 1} bytes are read, and a declared
 * {@code Content-Length} over the cap is refused before reading anything.
 */
final class RequestBodies {
  private RequestBodies() {}

  /**
   * The body bytes.
   *
   * @throws ApiException 413 when the body is larger than {@code cap}
   */
  static byte[] read(HttpExchange ex, int cap) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long n;
      try {
        n = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("Content-Length", "Content-Length is not a number");
      }
      if (n > cap) {
        throw tooLarge(cap);
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(cap + 1);
      if (body.length > cap) {
        throw tooLarge(cap);
      }
      return body;
    }
  }

  /**
   * Parses a body that must be a JSON object with no keys besides {@code allowed}.
   *
   * @return the object, or null when the body is empty and {@code required} is false
   * @throws ApiException 400 for an empty required body, bad JSON (a number out of range included),
   *     another JSON type or an unknown key
   */
  static JsonNode object(byte[] body, boolean required, Set<String> allowed) {
    if (isBlank(body)) {
      if (required) {
        throw ApiException.badRequest("body", "the request body is required (a JSON object)");
      }
      return null;
    }
    JsonNode node;
    try {
      node = ApiJson.mapper().readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("body", "the request body is not valid JSON: " + describe(e));
    } catch (IOException e) {
      throw ApiException.badRequest("body", "the request body cannot be read: " + e.getMessage());
    } catch (NumberFormatException | ArithmeticException e) {
      // Jackson's decimals: an exponent past what BigDecimal holds (1e9999999999)
      String m = String.valueOf(e.getMessage());
      throw ApiException.badRequest("body", "the request body has a number out of range: "
          + (m.length() > 120 ? m.substring(0, 120) + "..." : m));
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("body", "the request body must be a JSON object");
    }
    requireOnly(node, "", allowed);
    return node;
  }

  /**
   * The bytes of member {@code inner} of member {@code outer} of the top-level object of {@code
   * body} exactly as sent (the JSON text of the value, blanks inside it included), decoded as
   * UTF-8: operation data is kept byte for byte, never re-serialised (a number such as {@code 1e400}
   * stays {@code 1e400}). Call it on a body {@link #object} accepted.
   *
   * @return the text, or null when there is no such member or its place cannot be told (a body
   *     not in UTF-8)
   */
  static String rawMember(byte[] body, String outer, String inner) {
    try (JsonParser p = ApiJson.mapper().getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (!name.equals(outer) || t != JsonToken.START_OBJECT) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String n = p.currentName();
          p.nextToken();
          if (!n.equals(inner)) {
            p.skipChildren();
            continue;
          }
          long start = p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          long end = p.currentLocation().getByteOffset();
          if (start < 0 || end <= start || end > body.length) {
            return null;
          }
          return new String(body, (int) start, (int) (end - start), StandardCharsets.UTF_8);
        }
        return null;
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Refuses keys of {@code obj} not in {@code allowed}; {@code prefix} names the object. */
  static void requireOnly(JsonNode obj, String prefix, Set<String> allowed) {
    for (Map.Entry<String, JsonNode> field : obj.properties()) {
      String k = field.getKey();
      if (!allowed.contains(k)) {
        String name = prefix + (k.length() > 40 ? k.substring(0, 40) + "..." : k);
        throw ApiException.badRequest(
            name, "unknown field '" + name + "': allowed are " + String.join(", ", allowed.stream()
                .sorted().map(a -> prefix + a).toList()));
      }
    }
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  private static String describe(JacksonException e) {
    String msg = e.getOriginalMessage();
    if (msg == null) {
      msg = e.getClass().getSimpleName();
    }
    int nl = msg.indexOf('\n');
    if (nl >= 0) {
      msg = msg.substring(0, nl);
    }
    if (msg.length() > 200) {
      msg = msg.substring(0, 200) + "...";
    }
    JsonLocation loc = e.getLocation();
    if (loc != null && loc.getLineNr() > 0) {
      msg = msg + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
    return msg;
  }

  private static ApiException tooLarge(int cap) {
    return new ApiException(
        413,
        "the request body is larger than " + cap + " bytes",
        Map.of("max_body_bytes", cap),
        Map.of("Connection", "close"));
  }
}
