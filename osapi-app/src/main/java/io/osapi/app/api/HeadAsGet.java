package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A HEAD request as the handler sees it: a GET whose response body goes nowhere; the headers,
 * {@code Content-Length} included, are those of the GET.
 */
final class HeadAsGet extends DelegatingExchange {
  HeadAsGet(HttpExchange ex) {
    super(ex);
  }

  @Override
  public String getRequestMethod() {
    return "GET";
  }

  @Override
  public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    if (responseLength > 0) {
      delegate.getResponseHeaders().set("Content-Length", Long.toString(responseLength));
    }
    delegate.sendResponseHeaders(rCode, -1);
  }

  @Override
  public OutputStream getResponseBody() {
    return OutputStream.nullOutputStream();
  }
}
