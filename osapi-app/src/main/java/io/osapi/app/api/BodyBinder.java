package io.osapi.app.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Binds a request body to a typed record with Jackson, in one pass over its bytes: a key the record
 * does not have is a 400 naming it ({@code unknown field 'x': allowed are ...}), a value of the
 * wrong JSON type a 400 naming its field (no coercion: {@code 42} is not a string, {@code 1.5} not
 * a whole number), bad JSON (duplicate keys, trailing content, nesting deeper than {@value
 * ApiJson#MAX_DEPTH} included) a 400 on {@code body}. Operation data ({@link RawJson}) is not
 * parsed here: its span is skipped and kept as sent, byte for byte, and checked once by the core's
 * {@code Operation}.
 */
final class BodyBinder {
  /** The body's bytes, for {@link RawJson}'s span (a context attribute of one read). */
  private static final String BYTES = "osapi.body";

  private static final ObjectReader READER = ApiJson.strictReader(new SimpleModule("osapi-bodies")
      .addDeserializer(String.class, new StrictText())
      .addDeserializer(Boolean.class, new StrictBoolean())
      .addDeserializer(Duration.class, new WholeSeconds())
      .addDeserializer(RawJson.class, new RawSpan()))
      .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private BodyBinder() {}

  /**
   * Operation data as the client sent it: the JSON text of an object, never re-serialised.
   *
   * @param text the object's JSON text, blanks inside it included
   */
  record RawJson(String text) {}

  /**
   * A body as the edge bound it, once: the value, or why it is refused (400). The handler answers
   * from it without reading the body again.
   *
   * @param value what the body says (null for an empty optional body, or when refused)
   * @param refusal the 400, or null when bound
   */
  record Parsed<T>(T value, ApiException refusal) {
    static <T> Parsed<T> of(T value) {
      return new Parsed<>(value, null);
    }

    static <T> Parsed<T> refused(ApiException refusal) {
      return new Parsed<>(null, refusal);
    }

    /** The value, or the refusal thrown. */
    T orThrow() {
      if (refusal != null) {
        throw refusal;
      }
      return value;
    }
  }

  /** An optional body bound to {@code type}, or its refusal, for the handler to answer. */
  static <T> Parsed<T> parsed(byte[] body, Class<T> type) {
    try {
      return Parsed.of(bind(body, type, false, Map.of()));
    } catch (ApiException e) {
      return Parsed.refused(e);
    }
  }

  /**
   * Binds {@code body} to {@code type}.
   *
   * @param required whether an empty body is refused (else it binds to null)
   * @param messages the refusal of a wrong JSON type by field ({@code job}), where the default
   *     by the field's type ("must be a string", "must be a JSON object") says too little
   * @throws ApiException 400 naming the field for anything {@code type} does not hold
   */
  static <T> T bind(byte[] body, Class<T> type, boolean required, Map<String, String> messages) {
    if (isBlank(body)) {
      if (required) {
        throw ApiException.badRequest("body", "the request body is required (a JSON object)");
      }
      return null;
    }
    ObjectReader reader = READER.forType(type).withAttribute(BYTES, body);
    try (JsonParser p = reader.createParser(body)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        p.skipChildren(); // bad JSON says so rather than "not an object"
        p.nextToken();
        throw ApiException.badRequest("body", "the request body must be a JSON object");
      }
      T value = reader.readValue(p);
      if (p.nextToken() != null) {
        throw ApiException.badRequest("body", "the request body is not valid JSON: it goes on"
            + " after its object (line " + p.currentTokenLocation().getLineNr() + ")");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      List<JsonMappingException.Reference> path = e.getPath();
      String prefix = prefix(path.subList(0, Math.max(0, path.size() - 1))); // less the key
      String k = e.getPropertyName();
      String name = prefix + (k.length() > 40 ? k.substring(0, 40) + "..." : k);
      List<String> allowed = e.getKnownPropertyIds().stream().map(a -> prefix + a).sorted()
          .toList();
      throw ApiException.badRequest(name, "unknown field '" + name + "': "
          + (allowed.isEmpty() ? "this request takes none" : "allowed are "
          + String.join(", ", allowed)));
    } catch (MismatchedInputException e) {
      if (e.getPath().isEmpty()) {
        throw ApiException.badRequest("body", "the request body is not valid JSON: "
            + describe(e));
      }
      String field = prefix(e.getPath());
      field = field.substring(0, field.length() - 1);
      String message = messages.get(field);
      throw ApiException.badRequest(field, message != null ? message
          : field + " must be " + shape(e.getTargetType()));
    } catch (JsonMappingException e) {
      // bad JSON met while binding (a duplicate key) comes wrapped
      JacksonException why = e.getCause() instanceof JacksonException c ? c : e;
      throw ApiException.badRequest("body", "the request body is not valid JSON: "
          + describe(why));
    } catch (JacksonException e) {
      throw ApiException.badRequest("body", "the request body is not valid JSON: " + describe(e));
    } catch (IOException e) {
      throw ApiException.badRequest("body", "the request body cannot be read: " + e.getMessage());
    } catch (NumberFormatException | ArithmeticException e) {
      // a number Jackson had to convert (1e9999999999 as a BigDecimal)
      String m = String.valueOf(e.getMessage());
      throw ApiException.badRequest("body", "the request body has a number out of range: "
          + (m.length() > 120 ? m.substring(0, 120) + "..." : m));
    }
  }

  /** The dotted name of a path with a trailing dot ({@code operation.}), or "" at the top. */
  private static String prefix(List<JsonMappingException.Reference> path) {
    return path.stream().map(r -> r.getFieldName() != null ? r.getFieldName()
        : Integer.toString(r.getIndex())).map(n -> n + ".").collect(Collectors.joining());
  }

  private static String shape(Class<?> type) {
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class) {
      return "true or false";
    }
    if (type == Duration.class) {
      return "a whole number of seconds";
    }
    return "a JSON object";
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  /** Jackson's message: its first line, at most 200 characters, with the line and column. */
  static String describe(JacksonException e) {
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

  /** A JSON string only (Jackson's own would take 42 or true as text). */
  private static final class StrictText extends JsonDeserializer<String> {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (String) ctxt.handleUnexpectedToken(String.class, p);
      }
      return p.getText();
    }
  }

  /** {@code true} or {@code false} only. */
  private static final class StrictBoolean extends JsonDeserializer<Boolean> {
    @Override
    public Boolean deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
        return (Boolean) ctxt.handleUnexpectedToken(Boolean.class, p);
      }
      return t == JsonToken.VALUE_TRUE;
    }
  }

  /**
   * A JSON integer as whole seconds (a float or a string is refused); one too large for a long
   * is the longest a {@link Duration} holds, refused with the bounds by whoever checks them.
   */
  private static final class WholeSeconds extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
      }
      long s = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? (p.getBigIntegerValue().signum() < 0 ? -1 : Long.MAX_VALUE) : p.getLongValue();
      return Duration.ofSeconds(Math.max(-1, Math.min(s, Long.MAX_VALUE / 1_000_000_000L)));
    }
  }

  /**
   * A JSON object's span in the body, as sent: skipped over, not parsed into values (its
   * tokens are still read, so bad JSON and too deep nesting are refused). Where the parser cannot
   * tell byte offsets (a body in UTF-16), it is read and written again instead.
   */
  private static final class RawSpan extends JsonDeserializer<RawJson> {
    @Override
    public RawJson deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        return (RawJson) ctxt.handleUnexpectedToken(RawJson.class, p);
      }
      byte[] body = (byte[]) ctxt.getAttribute(BYTES);
      long start = p.currentTokenLocation().getByteOffset();
      if (body == null || start < 0) {
        return new RawJson(ApiJson.mapper().writeValueAsString(ctxt.readTree(p)));
      }
      p.skipChildren();
      long end = p.currentLocation().getByteOffset();
      return new RawJson(new String(body, (int) start, (int) (end - start),
          StandardCharsets.UTF_8));
    }
  }
}
