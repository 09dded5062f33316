package io.osapi.adapter.nats;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test registered with {@link #later}, last first, after each test, whatever
 * failed: register as an instance {@code @RegisterExtension} field.
 */
final class CloseAfterEach implements AfterEachCallback {
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** Returns {@code c}, to be closed after the test. */
  <T extends AutoCloseable> T later(T c) {
    closeables.add(c);
    return c;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        // keep going: the rest must be closed too
      }
    }
    closeables.clear();
  }
}
