/* Looks a user up by id and by name through NSS: the C library opens nsswitch.conf and /etc/passwd at run time. */
#include <pwd.h>
#include <stdio.h>

int main(void) {
    struct passwd *byId = getpwuid(0);
    struct passwd *byName = getpwnam("root");
    if (byId == NULL || byName == NULL) {
        fputs("root not found\n", stderr);
        return 1;
    }
    printf("uid 0 is %s; root is uid %d\n", byId->pw_name, (int)byName->pw_uid);
    return 0;
}
