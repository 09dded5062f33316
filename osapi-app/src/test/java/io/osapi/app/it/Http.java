package io.osapi.app.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.ApiJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small blocking HTTP client for the end-to-end, reliability and doc tests. */
public final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private Http() {}

  /** The response, or null when nothing listens. */
  public static HttpResponse<String> send(String method, URI uri, String body) {
    // a create may be held for the controller's --create-patience (15 s) and one attempt more
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return call(b.build());
  }

  /**
   * The response to a request with extra headers (such as {@code Authorization}), or null when
   * nothing listens.
   */
  public static HttpResponse<String> send(String method, URI uri, String body,
      java.util.Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (!method.equals("GET")) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return call(b.build());
  }

  public static HttpResponse<String> get(URI uri) {
    return get(uri, null);
  }

  /** A GET with an {@code Accept} header (null for none); null when nothing listens. */
  public static HttpResponse<String> get(URI uri, String accept) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (accept != null) {
      b.header("Accept", accept);
    }
    return call(b.build());
  }

  private static HttpResponse<String> call(HttpRequest req) {
    try {
      return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The status of a GET, 0 when nothing listens. */
  public static int status(URI uri) {
    return status(get(uri));
  }

  /** The status, 0 for no response. */
  public static int status(HttpResponse<String> r) {
    return r == null ? 0 : r.statusCode();
  }

  public static JsonNode json(HttpResponse<String> r) {
    return json(r.body());
  }

  public static JsonNode json(String body) {
    try {
      return ApiJson.mapper().readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
