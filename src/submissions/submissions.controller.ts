import { Controller } from '@nestjs/common';

@Controller('api/submissions')
export class SubmissionsController {}
