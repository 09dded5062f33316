package io.osapi.app.docs;

import io.osapi.app.api.RawHttp;
import io.osapi.app.docs.OpenApiContract.Exchange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends requests to a running osapi over loopback and records each as an {@link Exchange}: the
 * headers it set and the body it sent, the status, headers and body that came back. Requests that
 * {@link HttpClient} will not send (any {@code Host}, a declared body that never comes) go over a
 * raw socket.
 */
final class ContractClient {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private final int apiPort;
  private final int metricsPort;
  private final String token;

  /**
   * @param apiPort the REST API's port
   * @param metricsPort the port of {@code /metrics} and {@code /health}
   * @param token the bearer token the API wants
   */
  ContractClient(int apiPort, int metricsPort, String token) {
    this.apiPort = apiPort;
    this.metricsPort = metricsPort;
    this.token = token;
  }

  /**
   * A request as the API's clients send it: with the token, and {@code Content-Type:
   * application/json} on a POST or with a body ({@code body} null for none).
   */
  Exchange api(String method, String target, String body) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer " + token);
    if (body != null || method.equals("POST")) {
      h.put("Content-Type", "application/json");
    }
    return api(method, target, body, h);
  }

  /** A request with exactly these headers ({@code target}: path and query). */
  Exchange api(String method, String target, String body, Map<String, String> headers) {
    return send(apiPort, method, target, body, headers);
  }

  /** A GET of the metrics port ({@code /metrics}, {@code /health} ...). */
  Exchange metrics(String path, Map<String, String> headers) {
    return send(metricsPort, "GET", path, null, headers);
  }

  /**
   * A request over a raw socket to the API with these headers (the token added), its body
   * declared by the headers and {@code body} sent (null for nothing); the connection is closed
   * after the answer.
   */
  Exchange raw(String method, String target, Map<String, String> headers, String body) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Authorization", "Bearer " + token);
    h.put("Connection", "close");
    StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
    h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    if (body != null) {
      req.append(body);
    }
    RawHttp.Reply r;
    try {
      r = RawHttp.send(apiPort, req.toString(), Duration.ofSeconds(5));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String head = r.text().substring(0, Math.max(0, r.text().indexOf("\r\n\r\n")));
    Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("HTTP/")) {
        responseHeaders.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
    }
    return exchange(method, target, h, body, r.status(), responseHeaders, r.body());
  }

  private Exchange send(int port, String method, String target, String body,
      Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + target + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return exchange(method, target, headers, body, r.statusCode(), r.headers().map(), r.body());
  }

  private static Exchange exchange(String method, String target, Map<String, String> sent,
      String body, int status, Map<String, List<String>> received, String responseBody) {
    int q = target.indexOf('?');
    Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
    sent.forEach((k, v) -> requestHeaders.put(k, List.of(v)));
    return new Exchange(method, q < 0 ? target : target.substring(0, q),
        q < 0 ? null : target.substring(q + 1), requestHeaders, body, status, received,
        responseBody);
  }
}
