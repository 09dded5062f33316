package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * The one writer of the REST API's answers, errors included (JSON {@code {"error", "details"}}):
 * the edge's refusals, the handler's answers and the 404 of a path outside the API all go out
 * here, with {@code Cache-Control: no-store}. A HEAD request gets the headers and the length of
 * the body it would have had, no body. The body is written and flushed, the exchange left open:
 * the caller closes it (or, for a refused body left unread, closes the connection).
 */
final class ApiAnswers {
  private static final String JSON = "application/json; charset=utf-8";

  private ApiAnswers() {}

  /** An error answer. */
  static void error(HttpExchange ex, ApiException e) throws IOException {
    error(ex, e.status(), e.getMessage(), e.details(), e.headers());
  }

  /** An error answer. */
  static void error(HttpExchange ex, int status, String message, Map<String, Object> details,
      Map<String, String> headers) throws IOException {
    send(ex, status, new ApiModel.ErrorBody(message, details.isEmpty() ? null : details), headers);
  }

  /**
   * An answer.
   *
   * @param body null for none, bytes as they are (their {@code Content-Type} among the headers),
   *     else a value written as JSON
   */
  static void send(HttpExchange ex, int status, Object body, Map<String, String> headers)
      throws IOException {
    headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    if (body == null) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    byte[] bytes;
    if (body instanceof byte[] raw) {
      bytes = raw;
    } else {
      bytes = ApiJson.write(body);
      ex.getResponseHeaders().set("Content-Type", JSON);
    }
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, bytes.length);
    OutputStream out = ex.getResponseBody();
    out.write(bytes);
    out.flush();
  }
}
