// The operator dashboard's script: plain JavaScript, served locally. Every page works without it; with it, the
// locker's grid follows the compartments live (server-sent events) and a remote opening shows its outcome.
"use strict";
