#include <stdio.h>

int main(void) {
    puts("hello from an owned base");
    return 0;
}
