package io.osapi.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version for {@code --version}, from the build's {@code osapi-version.properties}. */
public final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("/osapi-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to unknown
    }
    return new String[] {
      "osapi-app " + p.getProperty("version", "unknown"),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }
}
