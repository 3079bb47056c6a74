import { packageProject } from '../../scripts/vitestProject.ts';

export default packageProject('react', { environment: 'jsdom', setupFiles: ['./test/setup.ts'] });
