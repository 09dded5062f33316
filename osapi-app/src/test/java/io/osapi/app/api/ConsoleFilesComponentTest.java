package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.auth.ApiAuthenticator;
import io.osapi.app.config.Secret;
import io.osapi.core.audit.InMemoryAuditLog;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console's files on a real API server with a token configured: public, with a strict policy,
 * only the listed files, while {@code /api/v1} still needs the token; and the files themselves
 * never build markup from strings or load anything from elsewhere (ConsoleIT shows the policy
 * holds in a real browser).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleFilesComponentTest {
  private static final String TOKEN = "console-test-static-token-0123456789";
  private EdgeHarness h;

  @BeforeAll
  void start() throws IOException {
    h = new EdgeHarness(ApiAuthenticator.builder().staticToken(Secret.of(TOKEN))
        .clock(Clock.systemUTC()).build(), new InMemoryAuditLog());
  }

  @AfterAll
  void stop() {
    h.close();
  }

  @Test
  void theFilesArePublicWithAStrictPolicyAndTheApiStillNeedsTheToken() {
    HttpResponse<String> index = h.send("GET", "/ui/", null, null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(index.headers().firstValue("Content-Security-Policy")).hasValue(ConsoleFiles.CSP);
    assertThat(ConsoleFiles.CSP).contains("default-src 'none'", "script-src 'self'",
        "style-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe");
    assertThat(index.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(index.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(index.body()).contains("<script src=\"console.js\" defer></script>");
    for (String f : ConsoleFiles.FILES) {
      HttpResponse<String> r = h.send("GET", "/ui/" + f, null, null);
      assertThat(r.statusCode()).as(f).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Security-Policy")).as(f).isPresent();
    }
    assertThat(h.send("GET", "/ui/console.js", null, null).headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    HttpResponse<String> bare = h.send("GET", "/ui", null, null);
    assertThat(bare.statusCode()).isEqualTo(301);
    assertThat(bare.headers().firstValue("Location")).hasValue("/ui/");
    // the positive control of the refusals below: the same requests with the token pass
    assertThat(h.send("GET", "/api/v1/jobs", null, TOKEN).statusCode()).isEqualTo(200);
    assertThat(h.send("GET", "/api/v1/me", null, TOKEN).statusCode()).isEqualTo(200);
    assertThat(h.send("GET", "/api/v1/jobs", null, null).statusCode()).isEqualTo(401);
    assertThat(h.send("GET", "/api/v1/me", null, null).statusCode()).isEqualTo(401);
  }

  @Test
  void onlyTheListedFilesAreServedAndOnlyToGetAndHead() throws IOException {
    for (String path : new String[] {"/ui/../api/v1/jobs", "/ui/%2e%2e/osapi-version.properties",
        "/ui/ConsoleFiles.class", "/ui/console/index.html", "/ui/nope.js", "/uix",
        "/ui/index.html/", "/ui//index.html"}) {
      HttpResponse<String> r = h.send("GET", path, null, null);
      assertThat(r.statusCode()).as(path).isIn(404, 401);
      assertThat(r.body()).as(path).doesNotContain("osapi.version", "\"items\"");
    }
    HttpResponse<String> post = h.send("POST", "/ui/index.html", "{}", null);
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    HttpResponse<String> head = h.send("HEAD", "/ui/console.css", null, null);
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    // a name an attacker's DNS points here (rebinding) gets nothing; an IP literal does
    assertThat(hostGet("evil.example:80").status()).isEqualTo(421);
    assertThat(hostGet("127.0.0.1:80").status()).isEqualTo(200);
  }

  private RawHttp.Reply hostGet(String host) throws IOException {
    return RawHttp.send(h.server.boundAddress().getPort(), "GET /ui/ HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n\r\n", Duration.ofSeconds(5));
  }

  @Test
  void theScriptsNeverParseMarkupNorLoadFromElsewhere() throws IOException {
    Pattern unsafe = Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write"
        + "|\\beval\\(|new Function|setTimeout\\(['\"]|javascript:|https?://");
    for (String f : new String[] {"console.js", "pages.js", "submit.js"}) {
      String js = resource(f);
      Matcher m = unsafe.matcher(js);
      assertThat(m.find()).as(f + ": " + (m.find(0) ? m.group() : "")).isFalse();
      assertThat(js).as(f).contains("'use strict'");
    }
    // the control: the pattern finds what it looks for
    assertThat(unsafe.matcher("x.innerHTML = y").find()).isTrue();
    String html = resource("index.html");
    assertThat(html).doesNotContain("style=", "onclick", "onload", "http://", "https://")
        .doesNotContainPattern("<script>|<style");
    assertThat(resource("console.css")).doesNotContain("@import", "url(", "@font-face");
    assertThat(resource("js-yaml.LICENSE.txt")).contains("MIT", "Vitaly Puzrin");
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ConsoleFiles.class.getResourceAsStream("console/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
