import { packageProject } from '../../scripts/vitestProject.ts';

export default packageProject('log-view', { environment: 'jsdom', setupFiles: ['./test/setup.ts'] });
