package rules

// LiveService and LiveEnv are defined in live.go.
type LiveService struct{}
type LiveEnv struct{}

var liveUserNotRoot, liveUserNoLoginShell, liveUserHome, liveLogFileWritable, livePIDDir, liveConsulGroup,
	liveWazoServiceListed, liveMonit, liveInstalled, liveWantsLink, liveBackupList, liveConsulCatalog, liveAPISpec, liveNginxEnabled func(*LiveService, *LiveEnv) []Finding
