package io.osapi.app.auth;

import static io.osapi.app.auth.Permission.AUDIT_READ;
import static io.osapi.app.auth.Permission.JOBS_CANCEL;
import static io.osapi.app.auth.Permission.JOBS_CREATE;
import static io.osapi.app.auth.Permission.JOBS_CREATE_PRIVILEGED;
import static io.osapi.app.auth.Permission.JOBS_DELETE;
import static io.osapi.app.auth.Permission.JOBS_READ;
import static io.osapi.app.auth.Permission.JOBS_RETRY;
import static io.osapi.app.auth.Permission.SCHEDULES_READ;
import static io.osapi.app.auth.Permission.SCHEDULES_WRITE;
import static io.osapi.app.auth.Permission.WORKERS_DRAIN;
import static io.osapi.app.auth.Permission.WORKERS_READ;
import static io.osapi.app.auth.Permission.WORKERS_TRUST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.app.config.ConfigException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The role table: built-in read < write < admin, custom roles, and fail-closed expansion. */
class RolesTest {
  @Test
  void theBuiltInTableIsTheDocumentedOne() {
    Map<String, List<Permission>> t = Roles.builtIn().table();
    assertThat(t.keySet()).containsExactly("read", "write", "admin");
    assertThat(t.get("read")).containsExactly(JOBS_READ, WORKERS_READ, SCHEDULES_READ);
    assertThat(t.get("write")).containsExactly(JOBS_READ, JOBS_CREATE, JOBS_RETRY, JOBS_CANCEL,
        WORKERS_READ, SCHEDULES_READ, SCHEDULES_WRITE);
    assertThat(t.get("admin")).containsExactlyElementsOf(EnumSet.allOf(Permission.class));
    assertThat(t.get("admin")).contains(WORKERS_TRUST, JOBS_CREATE_PRIVILEGED, JOBS_DELETE,
        WORKERS_DRAIN, AUDIT_READ);
    assertThat(t.get("write")).doesNotContain(JOBS_CREATE_PRIVILEGED, JOBS_DELETE,
        WORKERS_DRAIN, WORKERS_TRUST, AUDIT_READ);
  }

  @Test
  void rolesAndExtraPermissionsExpand() {
    Roles r = Roles.builtIn();
    assertThat(r.permissionsOf(List.of("read"), List.of("jobs:cancel")))
        .containsExactlyInAnyOrder(JOBS_READ, WORKERS_READ, SCHEDULES_READ, JOBS_CANCEL);
    assertThat(r.permissionsOf(List.of("read", "write"), List.of()))
        .isEqualTo(EnumSet.copyOf(r.table().get("write")));
  }

  @Test
  void unknownRolesAndPermissionsGrantNothingAndAreNoError() {
    Roles r = Roles.builtIn();
    assertThat(r.permissionsOf(List.of("root", "ADMIN", "admin "), List.of("jobs:*", "*")))
        .isEmpty();
    assertThat(r.permissionsOf(List.of("superuser", "read"), List.of("everything")))
        .containsExactlyInAnyOrder(JOBS_READ, WORKERS_READ, SCHEDULES_READ);
    assertThat(r.unknown(List.of("read", "root"))).containsExactly("root");
    // a custom role of another controller's config is unknown here
    assertThat(r.permissionsOf(List.of("operator"), List.of())).isEmpty();
  }

  @Test
  void customRolesComeAfterTheBuiltInOnes() {
    Roles r = Roles.withCustom(Map.of(
        "role.operator", "jobs:read, jobs:create,workers:drain",
        "role.auditor", " audit:read "));
    assertThat(r.names()).containsExactly("read", "write", "admin", "auditor", "operator");
    assertThat(r.table().get("operator")).containsExactly(JOBS_READ, JOBS_CREATE, WORKERS_DRAIN);
    assertThat(r.permissionsOf(List.of("auditor"), List.of())).containsExactly(AUDIT_READ);
    assertThat(r.permissionsOf(List.of("operator"), List.of())).doesNotContain(JOBS_DELETE);
    assertThat(Roles.builtIn().names()).containsExactly("read", "write", "admin");
  }

  @Test
  void badCustomRolesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> Roles.withCustom(Map.of("role.ops", "jobs:read, jobs:rm")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("role.ops").hasMessageContaining("unknown permission 'jobs:rm'");
    assertThatThrownBy(() -> Roles.withCustom(Map.of("role.admin", "jobs:read")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("role.admin").hasMessageContaining("built-in");
    assertThatThrownBy(() -> Roles.withCustom(Map.of("role.Ops", "jobs:read")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a role name");
    assertThatThrownBy(() -> Roles.withCustom(Map.of("role.", "jobs:read")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a role name");
    assertThatThrownBy(() -> Roles.withCustom(Map.of("role." + "a".repeat(33), "jobs:read")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not a role name");
    assertThatThrownBy(() -> Roles.withCustom(Map.of("role.empty", " , ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("role.empty").hasMessageContaining("names no permission");
  }
}
