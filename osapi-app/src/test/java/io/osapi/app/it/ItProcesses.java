package io.osapi.app.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The servers and osapi processes of one integration test: closed after it in reverse order of
 * start, and the logs of each ({@link NatsServer#report()}, {@link Osapi#report()}) printed when it
 * fails. Register it per test instance ({@code @RegisterExtension final ItProcesses its = new
 * ItProcesses();}) and start everything through {@link #keep}.
 */
final class ItProcesses implements AfterEachCallback, TestWatcher {
  private final List<AutoCloseable> all = new ArrayList<>();

  /** Closes {@code c} after the test (and reports it if the test fails); returns it. */
  <T extends AutoCloseable> T keep(T c) {
    all.add(c);
    return c;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        all.get(i).close();
      } catch (Exception e) {
        // best effort: the next one is closed all the same
      }
    }
  }

  /** Called after {@link #afterEach}: the reports read the logs the closed processes left. */
  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    for (AutoCloseable c : all) {
      if (c instanceof NatsServer n) {
        System.err.println(n.report());
      } else if (c instanceof Osapi o) {
        System.err.println(o.report());
      }
    }
  }
}
