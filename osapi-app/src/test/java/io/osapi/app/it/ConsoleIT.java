package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.auth.TokenIssuer;
import io.osapi.app.auth.TokenKeys;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console at {@code /ui} in a real headless chromium, against an all-in-one process from
 * the jar on a real nats-server with signed tokens: an admin logs in, submits a job and sees it
 * complete, filters the list, opens a detail, retries and deletes, drains and undrains the worker;
 * a read-only token sees no buttons it may not use and its forbidden calls are refused; HTML in
 * a job's result is shown as text; the token stays in the tab.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleIT {
  static final Duration WAIT = Duration.ofSeconds(30);

  private Path dir;
  private NatsServer nats;
  private Osapi osapi;
  private ChromeDriver browser;
  private String admin;
  private String reader;
  private String ui;

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    if (!Browser.installed()) {
      return; // each test is then skipped, saying why (or fails: OSAPI_REQUIRE_BROWSER=1)
    }
    dir = tmp;
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    String hex = HexFormat.of().formatHex(secret);
    Path key = Files.writeString(dir.resolve("api-token.key"), hex);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    TokenKeys keys = TokenKeys.hmac(hex.getBytes(StandardCharsets.UTF_8));
    admin = TokenIssuer.issue(keys, new TokenIssuer.Request("ops-admin", List.of("admin"),
        List.of(), Duration.ofHours(1), Optional.empty()), Clock.systemUTC());
    reader = TokenIssuer.issue(keys, new TokenIssuer.Request("ops-reader", List.of("read"),
        List.of(), Duration.ofHours(1), Optional.empty()), Clock.systemUTC());
    nats = NatsServer.start(dir);
    osapi = Osapi.allInOne(dir, nats.url(), "web01", "--labels", "group=web.eu",
        "--api-token-key-file", key.toString());
    osapi.awaitReady();
    osapi.await("web01 registered", WAIT,
        () -> api("GET", "/workers", null, admin).body().contains("\"web01\""));
    ui = "http://127.0.0.1:" + osapi.apiPort + "/ui/";
    browser = Browser.start(dir);
  }

  @BeforeEach
  void browserHere() {
    Browser.requireInstalled();
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (osapi != null) {
      osapi.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  private HttpResponse<String> api(String method, String path, String body, String token) {
    HttpResponse<String> r = Http.send(method, osapi.api(path), body,
        Map.of("Authorization", "Bearer " + token));
    assertThat(r).as(method + " " + path).isNotNull();
    return r;
  }

  private String submit(String type, String data) {
    HttpResponse<String> r = api("POST", "/jobs", "{\"operation\":{\"type\":\"" + type + "\""
        + (data == null ? "" : ",\"data\":" + data) + "}}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String id = Http.json(r).get("job_id").asText();
    osapi.await("job " + id + " ended", WAIT, () -> Osapi.TERMINAL.contains(
        Http.json(api("GET", "/jobs/" + id, null, admin)).path("status").asText()));
    return id;
  }

  private String workerState() {
    JsonNode ws = Http.json(api("GET", "/workers", null, admin)).get("workers");
    return ws.get(0).get("state").asText();
  }

  /** A fresh start of the console in this tab, logged in with {@code token}. */
  private void login(String token, String subject) {
    browser.get(ui);
    browser.executeScript("sessionStorage.clear()");
    browser.get(ui + "#/overview");
    browser.navigate().refresh();
    WebElement input = find("#token");
    input.sendKeys(token);
    find("#login-button").click();
    await().atMost(WAIT).ignoreExceptions()
        .until(() -> find("#who").getText().startsWith(subject));
  }

  private void open(String hash) {
    browser.get(ui + hash);
  }

  private WebElement find(String css) {
    return await().atMost(WAIT).ignoreExceptions()
        .until(() -> browser.findElement(By.cssSelector(css)), e -> e != null);
  }

  private void awaitText(String css, String text) {
    await().atMost(WAIT).ignoreExceptions().untilAsserted(
        () -> assertThat(browser.findElement(By.cssSelector(css)).getText()).contains(text));
  }

  @Test
  void anAdminSubmitsAJobAndSeesItComplete() throws Exception {
    login(admin, "ops-admin");
    find("a[data-page=submit]").click();
    Select op = new Select(find("#operation"));
    // the operations come from the API's document; privileged ones are offered to an admin
    assertThat(op.getOptions()).extracting(WebElement::getText)
        .contains("diag.echo", "system.hostname.get", "command.exec (privileged)");
    WebElement target = find("#target");
    target.clear();
    target.sendKeys("group:db");
    awaitText("#expected-text", "No ready worker matches");
    target.clear();
    target.sendKeys("group:web");
    awaitText("#expected-text", "1 worker(s) expected: web01");

    // data against the operation's schema: refused in the page, nothing sent
    long before = Http.json(api("GET", "/jobs/stats", null, admin)).get("total").asLong();
    op.selectByValue("diag.sleep");
    WebElement data = find("#data");
    data.clear();
    data.sendKeys("{\"seconds\": -1}");
    find("#submit-job").click();
    awaitText("#data-errors", "data.seconds must be at least 0");
    assertThat(browser.getCurrentUrl()).endsWith("#/submit");

    op.selectByValue("diag.echo");
    data.clear();
    data.sendKeys("{\"greeting\": \"hello from the console\"}");
    await().atMost(WAIT).until(() -> browser.findElements(By.cssSelector("#data-errors li"))
        .isEmpty());
    Browser.screenshot(browser, "submit");
    find("#submit-job").click();
    await().atMost(WAIT).until(() -> browser.getCurrentUrl().contains("#/jobs/"));
    String id = browser.getCurrentUrl().replaceAll(".*#/jobs/", "");
    awaitText("#banner", "Job " + id + " submitted");
    awaitText("#job-facts", "completed");
    awaitText("#runs-table", "web01");
    awaitText("#runs-table", "hello from the console");
    awaitText("#job-facts", "group:web");
    Browser.screenshot(browser, "job");
    JsonNode job = Http.json(api("GET", "/jobs/" + id, null, admin));
    assertThat(job.get("status").asText()).isEqualTo("completed");
    assertThat(job.at("/operation/data/greeting").asText()).isEqualTo("hello from the console");
    assertThat(Http.json(api("GET", "/jobs/stats", null, admin)).get("total").asLong())
        .as("only the valid job was created").isEqualTo(before + 1);
  }

  @Test
  void theVendoredYamlReaderReadsTheApiDocumentAsJacksonDoes() throws Exception {
    login(admin, "ops-admin");
    Object read = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "osapi.openapi().then(d => done(JSON.stringify({ops: d['x-osapi-operations'],"
        + " schemas: d.components.schemas})), e => done('error ' + e));");
    JsonNode inBrowser =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(String.valueOf(read));
    JsonNode doc = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper()
        .readTree(api("GET", "/openapi.yaml", null, admin).body());
    assertThat(doc.get("x-osapi-operations").size()).isGreaterThanOrEqualTo(14);
    assertThat(inBrowser.get("ops")).isEqualTo(doc.get("x-osapi-operations"));
    assertThat(inBrowser.get("schemas")).isEqualTo(doc.at("/components/schemas"));
  }

  @Test
  void theListFiltersAndADetailOffersRetryAndDelete() throws Exception {
    String failed = submit("diag.fail", "{\"message\":\"console-failure-123\"}");
    String echoed = submit("diag.echo", "{\"n\":1}");
    submit("diag.echo", "{\"n\":3}"); // three jobs at least: two pages of two
    login(admin, "ops-admin");
    open("#/jobs");
    awaitText("#jobs-table", echoed);
    new Select(find("#status-filter")).selectByValue("failed");
    find("#apply-filters").click();
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      assertThat(browser.getCurrentUrl()).contains("status=failed");
      String table = browser.findElement(By.id("jobs-table")).getText();
      assertThat(table).contains(failed).doesNotContain(echoed);
      assertThat(browser.findElements(By.cssSelector("#jobs-table span.status")))
          .extracting(WebElement::getText).isNotEmpty().containsOnly("failed");
    });
    Browser.screenshot(browser, "jobs");
    // a page at a time with the API's cursor
    open("#/jobs?limit=2");
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.findElements(
        By.cssSelector("#jobs-table a.job-link")).size() == 2);
    List<String> firstPage = links();
    find("#next-page").click();
    await().atMost(WAIT).ignoreExceptions().until(() -> browser.getCurrentUrl().contains("after=")
        && !links().isEmpty() && !links().equals(firstPage));
    assertThat(links()).hasSizeLessThanOrEqualTo(2).doesNotContainAnyElementsOf(firstPage);
    find("#first-page").click();
    await().atMost(WAIT).ignoreExceptions().until(() -> links().equals(firstPage));
    open("#/jobs?status=failed");
    find("a.job-link[href='#/jobs/" + failed + "']").click();
    awaitText("#job-error", "console-failure-123");
    awaitText("#runs-table", "web01");

    find("#retry-job").click();
    await().atMost(WAIT).until(() -> !browser.getCurrentUrl().endsWith(failed));
    String retried = browser.getCurrentUrl().replaceAll(".*#/jobs/", "");
    awaitText("#banner", "retried as job " + retried);
    assertThat(api("GET", "/jobs/" + retried, null, admin).statusCode()).isEqualTo(200);

    open("#/jobs/" + failed);
    find("#delete-job").click();
    find("#confirm-delete").click();
    awaitText("#banner", "Job " + failed + " deleted");
    assertThat(browser.getCurrentUrl()).endsWith("#/jobs");
    assertThat(api("GET", "/jobs/" + failed, null, admin).statusCode()).isEqualTo(404);
  }

  private List<String> links() {
    return browser.findElements(By.cssSelector("#jobs-table a.job-link")).stream()
        .map(WebElement::getText).toList();
  }

  @Test
  void anAdminDrainsAndUndrainsTheWorker() throws Exception {
    login(admin, "ops-admin");
    open("#/workers");
    awaitText("#workers-table", "group=web.eu");
    Browser.screenshot(browser, "workers");
    find("button.drain[data-worker=web01]").click();
    await().atMost(WAIT).ignoreExceptions().until(() -> List.of("draining", "cordoned")
        .contains(browser.findElement(By.cssSelector("[data-worker-state=web01]")).getText()));
    assertThat(workerState()).isIn("draining", "cordoned");
    find("button.undrain[data-worker=web01]").click();
    awaitText("[data-worker-state=web01]", "ready");
    await().atMost(WAIT).until(() -> workerState().equals("ready"));
  }

  @Test
  void aReadOnlyTokenSeesNoButtonsAndItsForbiddenCallsAreRefused() throws Exception {
    String id = submit("diag.echo", "{\"n\":2}");
    login(reader, "ops-reader");
    assertThat(find("a[data-page=jobs]").isDisplayed()).isTrue();
    assertThat(find("a[data-page=submit]").isDisplayed()).isFalse();
    assertThat(find("a[data-page=audit]").isDisplayed()).isFalse();
    open("#/jobs/" + id);
    awaitText("#job-facts", "completed");
    assertThat(browser.findElements(By.cssSelector("#retry-job, #delete-job"))).isEmpty();
    open("#/workers");
    awaitText("#workers-table", "web01");
    assertThat(browser.findElements(By.cssSelector("button.drain, button.undrain"))).isEmpty();
    open("#/audit");
    awaitText("#main", "This page needs the permission audit:read");

    // what the page does not offer, the API refuses: the reader's own token, from the page
    String call = "const done = arguments[arguments.length - 1];"
        + "fetch('/api/v1' + arguments[1], {method: arguments[0], headers: {"
        + "'Authorization': 'Bearer ' + sessionStorage.getItem('osapi.token'),"
        + "'Content-Type': 'application/json'}, body: arguments[2]})"
        + ".then(r => done(r.status), e => done('error ' + e));";
    assertThat(browser.executeAsyncScript(call, "DELETE", "/jobs/" + id, null)).isEqualTo(403L);
    assertThat(browser.executeAsyncScript(call, "POST", "/jobs/" + id + "/retry", "{}"))
        .isEqualTo(403L);
    assertThat(browser.executeAsyncScript(call, "POST", "/workers/web01/drain", null))
        .isEqualTo(403L);
    assertThat(browser.executeAsyncScript(call, "POST", "/jobs",
        "{\"operation\":{\"type\":\"diag.echo\"}}")).isEqualTo(403L);
    // the control: the same call the reader may make answers
    assertThat(browser.executeAsyncScript(call, "GET", "/jobs/" + id, null)).isEqualTo(200L);
    assertThat(api("GET", "/jobs/" + id, null, admin).statusCode()).isEqualTo(200);
    assertThat(workerState()).isEqualTo("ready");
  }

  @Test
  void anAdminCancelsARunningJobFiltersByOperationAndPausesASchedule() throws Exception {
    String echoed = submit("diag.echo", "{\"n\":4}");
    HttpResponse<String> r = api("POST", "/jobs",
        "{\"operation\":{\"type\":\"diag.sleep\",\"data\":{\"seconds\":60}}}", admin);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String sleeping = Http.json(r).get("job_id").asText();
    osapi.await("job " + sleeping + " running", WAIT, () -> Http.json(
        api("GET", "/jobs/" + sleeping, null, admin)).path("status").asText().equals("processing"));
    login(admin, "ops-admin");
    open("#/jobs/" + sleeping);
    awaitText("#job-facts", "processing");
    find("#cancel-job").click();
    awaitText("#banner", "cancel requested");
    awaitText("#job-facts", "cancelled");
    assertThat(Http.json(api("GET", "/jobs/" + sleeping, null, admin)).path("status").asText())
        .isEqualTo("cancelled");
    // an ended job offers no cancel (the control: the running one did)
    open("#/jobs/" + echoed);
    awaitText("#job-facts", "completed");
    find("#delete-job");
    assertThat(browser.findElements(By.id("cancel-job"))).isEmpty();

    // the search filters of the list
    open("#/jobs");
    awaitText("#jobs-table", echoed);
    find("#operation-filter").sendKeys("diag.sleep");
    find("#since-filter").sendKeys("1h");
    find("#apply-filters").click();
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      assertThat(browser.getCurrentUrl()).contains("operation=diag.sleep").contains("since=1h");
      String table = browser.findElement(By.id("jobs-table")).getText();
      assertThat(table).contains(sleeping).doesNotContain(echoed);
    });
    // ran on a worker: web01 ran both; web02 none (the control: the same filter with web01)
    open("#/jobs");
    awaitText("#jobs-table", echoed);
    find("#worker-filter").sendKeys("web01");
    find("#apply-filters").click();
    await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
      assertThat(browser.getCurrentUrl()).contains("worker=web01");
      assertThat(browser.findElement(By.id("jobs-table")).getText()).contains(echoed, sleeping);
      assertThat(browser.findElement(By.id("jobs-total")).getText()).contains("ran on web01");
    });
    open("#/jobs?worker=web02");
    awaitText("#jobs-table", "No job matches.");
    assertThat(browser.findElement(By.id("jobs-table")).getText()).doesNotContain(echoed);
    open("#/jobs?worker=web..01");
    awaitText("#banner", "is not a valid worker id");

    // a schedule: shown, paused and resumed from the page
    HttpResponse<String> c = api("POST", "/schedules", "{\"name\":\"console-hourly\","
        + "\"every\":\"1h\",\"job\":{\"operation\":{\"type\":\"diag.echo\"}}}", admin);
    assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
    open("#/schedules");
    awaitText("#schedules-table", "console-hourly");
    awaitText("[data-schedule-state=console-hourly]", "active");
    Browser.screenshot(browser, "schedules");
    find("button[data-schedule=console-hourly]").click();
    awaitText("[data-schedule-state=console-hourly]", "paused");
    assertThat(Http.json(api("GET", "/schedules/console-hourly", null, admin)).path("paused")
        .asBoolean()).isTrue();
    find("button[data-schedule=console-hourly]").click();
    awaitText("[data-schedule-state=console-hourly]", "active");

    // the reader sees the schedule and the running job, and no button to change them
    String slow = Http.json(api("POST", "/jobs",
        "{\"operation\":{\"type\":\"diag.sleep\",\"data\":{\"seconds\":60}}}", admin))
        .get("job_id").asText();
    login(reader, "ops-reader");
    open("#/schedules");
    awaitText("#schedules-table", "console-hourly");
    assertThat(browser.findElements(By.cssSelector("button[data-schedule]"))).isEmpty();
    open("#/jobs/" + slow);
    awaitText("#job-facts", "diag.sleep");
    assertThat(browser.findElements(By.id("cancel-job"))).isEmpty();
    assertThat(api("POST", "/jobs/" + slow + "/cancel", "{}", reader).statusCode())
        .isEqualTo(403);
    assertThat(api("POST", "/jobs/" + slow + "/cancel", "{}", admin).statusCode())
        .isEqualTo(202);
    assertThat(api("DELETE", "/schedules/console-hourly", null, admin).statusCode())
        .isIn(200, 204);
  }

  @Test
  void htmlInAResultIsShownAsText() throws Exception {
    String payload = "<img src=x onerror=alert(1)>";
    String id = submit("diag.echo", "{\"html\":\"" + payload + "\"}");
    login(admin, "ops-admin");
    open("#/jobs/" + id);
    awaitText("#job-result", payload);
    awaitText("#runs-table", payload);
    assertThat(browser.findElements(By.tagName("img"))).isEmpty();
    assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(
        NoAlertPresentException.class);
    // the control: an alert raised in this page is seen by the very same check
    browser.executeScript("setTimeout(() => alert('control'), 0)");
    await().atMost(WAIT).ignoreExceptions()
        .until(() -> browser.switchTo().alert().getText().equals("control"));
    browser.switchTo().alert().accept();
  }

  @Test
  void thePagesNeedNothingThePolicyForbidsAndTheTokenStaysInTheTab() throws Exception {
    submit("diag.echo", null);
    Browser.consoleLines(browser);
    login(admin, "ops-admin");
    for (String page : List.of("#/overview", "#/jobs", "#/workers", "#/submit", "#/audit",
        "#/schedules")) {
      open(page);
      find("main[data-page='" + page.substring(2) + "'] h1");
    }
    open("#/overview");
    awaitText("#count-completed", "completed");
    awaitText("#rates", "jobs/min created");
    awaitText("#workers-ready", "1");
    awaitText("#oldest", "No job is waiting");
    Browser.screenshot(browser, "overview");
    open("#/audit");
    awaitText("#audit-table", "ops-admin");
    awaitText("#audit-table", "POST /api/v1/jobs");
    Browser.screenshot(browser, "audit");
    assertThat(Browser.consoleLines(browser)).as("browser console")
        .noneMatch(l -> l.contains("Content Security Policy") || l.contains("SEVERE"));
    // the control: an inline script is refused by the policy, and the console shows it
    browser.executeScript("const s = document.createElement('script');"
        + "s.textContent = 'window.inlineRan = true'; document.body.append(s);");
    assertThat(browser.executeScript("return window.inlineRan === true")).isEqualTo(false);
    await().atMost(WAIT).until(() -> Browser.consoleLines(browser).stream()
        .anyMatch(l -> l.contains("Content Security Policy")));

    assertThat(browser.executeScript("return document.cookie")).isEqualTo("");
    assertThat(browser.executeScript("return localStorage.length")).isEqualTo(0L);
    assertThat(browser.executeScript("return sessionStorage.getItem('osapi.token')"))
        .isEqualTo(admin);
    assertThat(browser.getCurrentUrl()).doesNotContain(admin.substring(0, 20));
    // another tab has no token: it asks for one
    String first = browser.getWindowHandle();
    browser.switchTo().newWindow(WindowType.TAB);
    browser.get(ui);
    assertThat(find("#token").isDisplayed()).isTrue();
    browser.close();
    browser.switchTo().window(first);
    find("#logout").click();
    assertThat(find("#token").isDisplayed()).isTrue();
    assertThat(browser.executeScript("return sessionStorage.getItem('osapi.token')")).isNull();
    find("#token").sendKeys(admin.substring(0, admin.length() - 4) + "AAAA");
    find("#login-button").click();
    awaitText("#banner", "The token was refused (invalid)");
    assertThat(find("#token").isDisplayed()).isTrue();
  }
}
