package io.osapi.app.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless chromium driven through its chromedriver ({@code apt-get install chromium
 * chromium-driver}; {@code scripts/test.sh} installs both). Selenium Manager is not used (it would
 * download a driver): the binaries are given.
 *
 * <p>Without them the test is skipped with a message saying what to install, unless {@code
 * OSAPI_REQUIRE_BROWSER=1} (then it fails): a missing browser never passes silently.
 */
final class Browser {
  static final Path CHROMIUM = Path.of(System.getProperty("osapi.chromium", "/usr/bin/chromium"));
  static final Path DRIVER =
      Path.of(System.getProperty("osapi.chromedriver", "/usr/bin/chromedriver"));

  private Browser() {}

  /** Whether chromium and chromedriver are here. */
  static boolean installed() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
  }

  /**
   * Skips the test (or fails it, when a browser is required) unless chromium and chromedriver
   * are here; call it per test (a skip in {@code @BeforeAll} shows as no test at all).
   */
  static void requireInstalled() {
    boolean here = installed();
    String why = "the console's browser tests need " + CHROMIUM + " and " + DRIVER
        + " (Debian: apt-get install chromium chromium-driver; scripts/test.sh installs them)";
    if (!here && "1".equals(System.getenv("OSAPI_REQUIRE_BROWSER"))) {
      Assertions.fail(why);
    }
    if (!here) {
      System.err.println("SKIPPED: " + why);
    }
    Assumptions.assumeTrue(here, why);
  }

  /** A new headless chromium with its own profile in {@code dir}; alerts stay open to be seen. */
  static ChromeDriver start(Path dir) {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1360,900", "--user-data-dir=" + dir.resolve("chromium-profile"),
        "--no-first-run", "--disable-extensions", "--lang=en-US");
    o.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
        .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
    ChromeDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    d.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return d;
  }

  /** The browser's console lines since the last call. */
  static List<String> consoleLines(ChromeDriver d) {
    return d.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(LogEntry::toString).toList();
  }

  /**
   * A PNG of the window into {@code docs/img/console-NAME.png} of the directory given by {@code
   * -Dconsole.screenshots=DIR} (scripts/console-screenshots.sh); nothing without it.
   */
  static void screenshot(ChromeDriver d, String name) throws java.io.IOException {
    String dir = System.getProperty("console.screenshots", "");
    if (dir.isBlank()) {
      return;
    }
    byte[] png = ((TakesScreenshot) d).getScreenshotAs(OutputType.BYTES);
    Files.createDirectories(Path.of(dir));
    Files.write(Path.of(dir, "console-" + name + ".png"), png);
  }
}
