package cluster

// sysSetns is setns(2) on x86-64 (the syscall package does not name it).
const sysSetns = 308
