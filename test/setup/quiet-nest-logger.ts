import { Logger } from '@nestjs/common';

// Unit specs assert on behaviour and metrics; Nest's console logger would only add noise to the report.
Logger.overrideLogger(false);
